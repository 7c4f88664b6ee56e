/** Types of build-kernels.mjs, for the test that checks the compiled kernels are current. */
export declare const KERNEL_DIR: string;
export declare const MODULE_DIR: string;
export declare function compileKernel(name: string): Promise<Buffer>;
export declare function kernelModuleText(name: string, binary: Buffer): string;
export declare function kernelNames(): string[];
export declare function sectionIds(binary: Uint8Array): number[];
