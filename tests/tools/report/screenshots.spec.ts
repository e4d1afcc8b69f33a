import * as assert from "assert";
import { createHash } from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { writeReport } from "../../../tools/report/cli";
import type { Evidence } from "../../../tools/report/evidence";
import { screenshotFingerprint } from "../../../tools/report/render";
import { DIAGRAM, FIRST_SCREEN, IMAGES_DIR, ScreenshotRecord, SIDECAR, screenshotReportOptions } from "../../../tools/report/screenshots";

describe("tools/report/screenshots: the README's report screenshots are current", function () {
    this.timeout(600_000);

    it("docs/images holds both PNGs as the script wrote them", () => {
        const record = JSON.parse(fs.readFileSync(SIDECAR, "utf8")) as ScreenshotRecord;
        for (const f of [FIRST_SCREEN, DIAGRAM]) {
            const bytes = fs.readFileSync(path.join(IMAGES_DIR, f));
            assert.strictEqual(bytes.subarray(1, 4).toString(), "PNG", f);
            assert.strictEqual(createHash("sha256").update(bytes).digest("hex"), record.files[f], `${f} was changed by hand: run npm run report:screenshots`);
        }
    });

    it("a fresh report of the same stack shows what the screenshots show", async () => {
        const record = JSON.parse(fs.readFileSync(SIDECAR, "utf8")) as ScreenshotRecord;
        const written = await writeReport(screenshotReportOptions(fs.mkdtempSync(path.join(os.tmpdir(), "hipaa-screens-"))));
        const evidence = JSON.parse(fs.readFileSync(written.json, "utf8")) as Evidence;
        assert.strictEqual(
            screenshotFingerprint(evidence),
            record.fingerprint,
            "the report's first screen or diagram changed since docs/images/report-*.png were taken: run `npm run report:screenshots` and commit docs/images",
        );
    });
});
