/**
 * The Tradeline story on the in-process Hardhat network. Each module adds a chapter (scripts/lib/demo-world.ts).
 *
 *   make demo        (or: npm run demo)
 */
import { network } from "hardhat";

import type { ConsortiumKey } from "../src/keys.js";

import { runDemo } from "./lib/demo-world.js";
import { ephemeralKey, publishedKey } from "./lib/loans.js";
import { deployWorld } from "./lib/world.js";

/** The consortium key: TRADELINE_CONSORTIUM_KEY when set, else one made for this run only. */
function demoKey(): ConsortiumKey {
  const hex = process.env.TRADELINE_CONSORTIUM_KEY;
  return hex === undefined ? ephemeralKey() : publishedKey(hex);
}

async function main(): Promise<void> {
  const connection = await network.create();
  console.log("Tradeline demo on the in-process Hardhat network");
  const world = await deployWorld(connection, undefined, demoKey());
  await runDemo(world, connection);
  console.log("\nDone.");
}

await main();
