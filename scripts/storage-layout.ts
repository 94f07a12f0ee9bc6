/**
 * Rewrites docs/storage-layout.md from the compiler's storage layout (npm run layout). Run it after a deliberate
 * layout change, and check each layout comment in the contracts against the new tables.
 */
import { writeFile } from "node:fs/promises";

import { LAYOUT_DOC, renderLayouts, storageLayouts } from "./lib/layout.js";

await writeFile(LAYOUT_DOC, renderLayouts(await storageLayouts()));
console.log(`wrote ${LAYOUT_DOC}`);
