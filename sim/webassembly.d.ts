/**
 * The part of the WebAssembly JavaScript API the project uses (Node has it all; TypeScript declares
 * it only in the DOM library, which the project leaves out): memories, modules and instances.
 */
declare namespace WebAssembly {
	interface MemoryDescriptor {
		initial: number;
		maximum?: number;
		shared?: boolean;
	}
	class Memory {
		constructor(descriptor: MemoryDescriptor);
		readonly buffer: ArrayBuffer | SharedArrayBuffer;
		grow(delta: number): number;
	}
	class Module {
		constructor(bytes: Uint8Array);
	}
	type Imports = Record<string, Record<string, Memory | ((...args: number[]) => unknown)>>;
	class Instance {
		constructor(module: Module, imports?: Imports);
		readonly exports: Record<string, unknown>;
	}
}
