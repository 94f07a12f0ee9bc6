/**
 * EIP-170 headroom: every deployable contract's runtime bytecode must leave at least 15% of 24,576 bytes free
 * (issue 15: room for the next features). Exits 1 naming each contract over it. `npm run typecheck` runs it after the
 * build. TRADELINE_SIZE_HEADROOM (bytes) overrides the share.
 */
import { contractSizes, EIP170_LIMIT, MIN_HEADROOM_SHARE } from "./lib/sizes.js";

const HEADROOM = Number(process.env.TRADELINE_SIZE_HEADROOM ?? Math.ceil(EIP170_LIMIT * MIN_HEADROOM_SHARE));

let failed = 0;
for (const s of await contractSizes()) {
  const over = s.headroom < HEADROOM;
  if (over) failed += 1;
  console.log(
    `${over ? "FAIL" : "ok  "} ${s.contract.padEnd(24)} ${String(s.bytes).padStart(6)} bytes, headroom ${s.headroom}` +
      ` (${(s.headroomShare * 100).toFixed(1)}%)`,
  );
}
if (failed > 0) {
  console.error(`error: ${failed} contract(s) leave less than ${HEADROOM} bytes under EIP-170's ${EIP170_LIMIT}`);
  process.exitCode = 1;
}
