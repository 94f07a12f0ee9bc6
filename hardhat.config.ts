import { createRequire } from "node:module";

import hardhatToolboxMochaEthers from "@nomicfoundation/hardhat-toolbox-mocha-ethers";
import { configVariable, defineConfig } from "hardhat/config";

import { tasks } from "./tasks/index.js";

const require = createRequire(import.meta.url);

/** The one compiler of the project: the WASM build shipped by the pinned `solc` npm package. */
/** Invariant runs (depth 64) and fuzz cases: 256 by default, 10,000 in the deep run (scripts/fuzz-deep.sh). */
const INVARIANT_RUNS = Number(process.env.TRADELINE_INVARIANT_RUNS ?? 256);

const SOLC_VERSION = "0.8.28";
/**
 * The EVM the contracts are compiled for and the simulated network runs: Besu's consortium chains run Cancun. EDR's
 * newest hardfork would price calldata (EIP-7623) and cap a transaction's gas (EIP-7825) by rules the consortium chain
 * does not apply, and the bench would measure them.
 */
export const EVM_VERSION = "cancun";
const SOLC_PATH = require.resolve("solc/soljson.js");
const SOLC_SETTINGS = {
  evmVersion: EVM_VERSION,
  // Runs 200, not 10,000: the modules carry the shared payout, pause and credit-report bases, and the receivable
  // ledger must stay well under the 24,576-byte limit of EIP-170.
  optimizer: { enabled: true, runs: 200 },
  viaIR: true,
};

export default defineConfig({
  plugins: [hardhatToolboxMochaEthers],
  tasks,
  // The same settings in both build profiles, so that what `hardhat node` and Ignition deploy is the bytecode the
  // tests and the bench measured (the production profile would otherwise drop viaIR).
  solidity: {
    profiles: {
      default: { version: SOLC_VERSION, path: SOLC_PATH, settings: SOLC_SETTINGS },
      production: { version: SOLC_VERSION, path: SOLC_PATH, settings: SOLC_SETTINGS, isolated: true },
    },
  },
  networks: {
    default: { type: "edr-simulated", chainType: "l1", hardfork: EVM_VERSION },
    hardhatMainnet: { type: "edr-simulated", chainType: "l1", hardfork: EVM_VERSION },
    localhost: { type: "http", url: "http://127.0.0.1:8545" },
    consortium: {
      type: "http",
      chainType: "l1",
      url: configVariable("TRADELINE_RPC_URL"),
      accounts: [configVariable("TRADELINE_OPERATOR_KEY")],
    },
  },
  typechain: { outDir: "typechain-types" },
  test: {
    // Runs: 256 in the test command; `make fuzz-deep` sets TRADELINE_INVARIANT_RUNS=10000 (docs/testing.md).
    solidity: {
      fuzz: { runs: INVARIANT_RUNS },
      invariant: { runs: INVARIANT_RUNS, depth: 64, failOnRevert: true },
    },
  },
});
