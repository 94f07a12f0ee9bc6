/**
 * One step of `make up` and of the service's process-level tests (scripts/lib/local-network.ts): deploys Tradeline
 * with Ignition onto the node at TRADELINE_UP_RPC_URL, under the deployment id TRADELINE_UP_DEPLOYMENT_ID, with the
 * consortium key TRADELINE_CONSORTIUM_KEY; with TRADELINE_UP_SEED=demo it builds the demo's world (the cast, loans,
 * receivables, orders: scripts/lib/demo-world.ts) silently. Writes what it made to the JSON file TRADELINE_UP_OUT.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";

import TradelineModule from "../ignition/modules/Tradeline.js";
import { entityKey } from "../src/members.js";
import { keyCheck } from "../src/keys.js";

import { CAST } from "./lib/cast.js";
import { runDemo } from "./lib/demo-world.js";
import { publishedKey } from "./lib/loans.js";
import { ISSUER_LEI, deployWorld, ignitionParameters } from "./lib/world.js";

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "")
    throw new Error(`${name} is not set (scripts/up-world.ts is run by make up)`);
  return value;
}

const url = required("TRADELINE_UP_RPC_URL");
const deploymentId = required("TRADELINE_UP_DEPLOYMENT_ID");
const out = required("TRADELINE_UP_OUT");
const seed = process.env.TRADELINE_UP_SEED ?? "";
if (seed !== "" && seed !== "demo") throw new Error(`seed "${seed}" is not known: the one seed is demo`);
const key = publishedKey(required("TRADELINE_CONSORTIUM_KEY"));

const connection = await network.create({ network: "localhost", override: { url } });
const [governor, issuer] = await connection.ethers.getSigners();
const members: Record<string, { id: string; admin: string }> = {};
if (seed === "demo") {
  const world = await deployWorld(connection, deploymentId, key);
  await runDemo(world, connection, () => {});
  for (const member of CAST) {
    members[member.key] = { id: String(world.ids[member.key]), admin: world.admins[member.key].address };
  }
} else {
  // The deployment alone, with the parameters deployWorld derives from the key.
  const parameters = await ignitionParameters("hardhat");
  parameters.Tradeline.keyCheck = keyCheck(key);
  parameters.Tradeline.issuerEntityKey = entityKey(key, ISSUER_LEI);
  await connection.ignition.deploy(TradelineModule, { parameters, deploymentId });
}
const deploymentFile = path.join(
  import.meta.dirname,
  "..",
  "ignition",
  "deployments",
  deploymentId,
  "deployed_addresses.json",
);
await writeFile(
  out,
  JSON.stringify({ deploymentFile, members, governor: governor.address, issuer: issuer.address }, null, 2),
);
