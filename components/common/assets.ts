// Files the components ship as text (a shell script, CloudFront Function code), read at deploy time
// from the package's components/ folder. The sources are shipped (package.json `files`), and tsc
// copies neither shell scripts nor plain text into dist/, so compiled code (dist/components/…)
// reads them from the package root's components/ as well.
import * as fs from "fs";
import * as path from "path";

/** The package root: two levels above components/common, or three above dist/components/common. */
function packageRoot(): string {
    const up2 = path.resolve(__dirname, "..", "..");
    return path.basename(up2) === "dist" ? path.dirname(up2) : up2;
}

/** The text of `relative` (a path inside components/, e.g. "services/slaveWrapper.sh"). */
export function componentAsset(relative: string): string {
    return fs.readFileSync(path.join(packageRoot(), "components", relative), "utf8");
}
