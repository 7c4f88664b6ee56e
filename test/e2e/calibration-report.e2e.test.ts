/**
 * The calibration report in a real browser: Debian's chromium, driven by playwright-core. Skips
 * (with the reason in its name) where /usr/bin/chromium is not installed.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type Browser, chromium } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { calibrationReportHtml } from "../../dashboard/calibration-report.js";

const CHROMIUM = "/usr/bin/chromium";
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const SKIPPED = HAVE_CHROMIUM ? "" : ` — SKIPPED: ${CHROMIUM} is absent (apt-get install -y chromium)`;
const FLAGS = [
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
	"--no-first-run",
];

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
const profile = (path: string): unknown => JSON.parse(readFileSync(resolve(root, path), "utf8"));

describe("calibration report in chromium", () => {
	let browser: Browser | undefined;
	let dir: string | undefined;

	beforeAll(async () => {
		if (!HAVE_CHROMIUM) return;
		dir = mkdtempSync(join(tmpdir(), "calibration-report-"));
		browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
	});

	afterAll(async () => {
		await browser?.close();
		if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
	});

	/** Opens the page from a file:// URL; returns it with every request that was not for that file. */
	async function open(html: string, name: string) {
		if (browser === undefined || dir === undefined) throw new Error("chromium did not start");
		const file = join(dir, name);
		writeFileSync(file, html);
		const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
		const outside: string[] = [];
		page.on("request", (request) => {
			if (request.url() !== pathToFileURL(file).href) outside.push(request.url());
		});
		await page.goto(pathToFileURL(file).href, { waitUntil: "load" });
		return { page, outside };
	}

	it.skipIf(!HAVE_CHROMIUM)(
		`shows every chart of a measured profile with a non-empty box, and the title${SKIPPED}`,
		async () => {
			const html = await calibrationReportHtml(profile("test/fixtures/calibration-profile.json"));
			const { page, outside } = await open(html, "measured.html");
			expect(await page.title()).toBe("Calibration report: measured-wasm");
			expect(await page.locator("h1").textContent()).toBe("Calibration report: measured-wasm");
			const svgs = page.locator("figure.chart svg");
			expect(await svgs.count()).toBe(7);
			for (const svg of await svgs.all()) {
				await svg.scrollIntoViewIfNeeded();
				expect(await svg.isVisible()).toBe(true);
				const box = await svg.boundingBox();
				expect(box?.width).toBeGreaterThan(100);
				expect(box?.height).toBeGreaterThan(100);
				// Marks were drawn, not just an empty frame.
				expect(await svg.locator("path, line").count()).toBeGreaterThan(10);
			}
			// Charts fit the page: no horizontal scrolling at a desktop width.
			// A string, not a function: the test is compiled without the DOM library.
			const overflowPx = await page.evaluate<number>(
				"document.documentElement.scrollWidth - document.documentElement.clientWidth",
			);
			expect(overflowPx).toBeLessThanOrEqual(0);
			expect(outside).toEqual([]);
			await page.close();
		},
	);

	it.skipIf(!HAVE_CHROMIUM)(
		`shows the literature-default profile, saying it has no measurements${SKIPPED}`,
		async () => {
			const html = await calibrationReportHtml(profile("scenarios/calibration/default.json"));
			const { page, outside } = await open(html, "default.html");
			expect(await page.title()).toBe("Calibration report: default");
			await expect(page.getByText("No measurements are included in this profile").first().isVisible()).resolves.toBe(
				true,
			);
			const svg = page.locator("figure.chart svg");
			expect(await svg.count()).toBe(1);
			const box = await svg.boundingBox();
			expect(box?.width).toBeGreaterThan(100);
			expect(box?.height).toBeGreaterThan(100);
			expect(outside).toEqual([]);
			await page.close();
		},
	);
});
