/**
 * The `serve` and `service:token` tasks: thin wrappers that read the Hardhat configuration (network, deployment
 * record, configuration variables) and hand it to the service (service/server.ts, service/auth.ts).
 */
import path from "node:path";

import { Wallet, type Provider, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types/hre";
import { parse as parsePostgresUrl } from "pg-connection-string";

import { deploymentPath, loadDeployment, type Deployment } from "../../src/deployment.js";
import { verifiedConsortiumKey } from "../../src/members.js";
import type { ConsortiumKey } from "../../src/keys.js";
import { MemberRegistry__factory } from "../../typechain-types/index.js";
import { API_ROLES, createToken, parseRoles, revokeToken } from "../../service/auth.js";
import { maskUrl, openDatabase } from "../../service/db.js";
import { migrate } from "../../service/migrations.js";
import { moveOwnTables } from "../../service/move.js";
import { deploymentBlock, startService } from "../../service/server.js";
import { PREVIOUS_WEBHOOK_KEY_VARIABLE, webhookKey, WEBHOOK_KEY_VARIABLE } from "../../service/webhook-secrets.js";
import { formatTable } from "./members.js";
import { CONSORTIUM_KEY_VARIABLE, pickSigner, readConfigVariable, readConfigVariableWithSource } from "./session.js";

/** The configuration variable holding the database URL (a `postgres://` URL or an SQLite file). */
export const DATABASE_VARIABLE = "TRADELINE_DATABASE_URL";

/**
 * The configuration variable that lets webhooks go to loopback, private and link-local addresses (`1` or `true`;
 * default off). For a local network whose receivers run on the same machine, e.g. `make up`.
 */
export const PRIVATE_WEBHOOKS_VARIABLE = "TRADELINE_ALLOW_PRIVATE_WEBHOOKS";

/** A webhook sealing key from the configuration variable `name`, when one is set. */
async function configuredWebhookKey(hre: HardhatRuntimeEnvironment, name: string): Promise<Buffer | undefined> {
  const { value, source } = await readConfigVariableWithSource(hre, name);
  return value === undefined ? undefined : webhookKey(value, source);
}

async function allowPrivateWebhooks(hre: HardhatRuntimeEnvironment): Promise<boolean> {
  const value = ((await readConfigVariable(hre, PRIVATE_WEBHOOKS_VARIABLE)) ?? "").trim().toLowerCase();
  if (value === "" || value === "0" || value === "false") return false;
  if (value === "1" || value === "true") return true;
  throw new Error(`${PRIVATE_WEBHOOKS_VARIABLE} is "${value}": say 1 or true to allow private webhook targets`);
}

export interface ServeArgs {
  deployment: string;
  port: string;
  host: string;
  database: string;
  confirmations: string;
  from: string;
}

function wholeNumber(name: string, text: string, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max)
    throw new Error(`--${name} "${text}" is not a whole number from 0 to ${max}`);
  return Number(text);
}

/**
 * Refuses a database URL given on the command line with a password in it: every local account reads a process's
 * arguments (`ps`, /proc/<pid>/cmdline) for as long as it runs (adversarial review 16, R16-3). A PostgreSQL URL is
 * read by node-postgres's own parser, the one that connects, so a password it would use is found wherever the URL
 * puts it: in the user part, in the query (`?password=`), in a socket URL with no host (review 18, R18-1). The
 * password goes in the keystore's `TRADELINE_DATABASE_URL`, or in PostgreSQL's own PGPASSWORD or ~/.pgpass.
 */
export function passwordFree(url: string, option: string): string {
  if (!/^postgres(ql)?:/i.test(url)) return url; // an SQLite file: no password
  const password = parsePostgresUrl(url).password;
  if (password !== undefined && password !== "") {
    throw new Error(
      `${option} carries a password, which every local account can read in this process's command line: leave it ` +
        `out (set it with \`npx hardhat keystore set ${DATABASE_VARIABLE}\`, or in PGPASSWORD or ~/.pgpass)`,
    );
  }
  return url;
}

async function databaseUrl(hre: HardhatRuntimeEnvironment, option: string): Promise<string | undefined> {
  if (option.trim() !== "") return passwordFree(option.trim(), "--database");
  return readConfigVariable(hre, DATABASE_VARIABLE);
}

/**
 * Refuses to start on a deployment record this chain does not have, and, when the consortium key is configured,
 * on a key other than the one the deployment publishes (the service keys borrower ids with it). Returns the checked
 * key, or undefined when none is configured (writes that name a borrower then answer 503).
 */
async function checkDeployment(
  hre: HardhatRuntimeEnvironment,
  provider: Provider,
  deployment: Deployment,
  file: string,
  chainId: bigint,
): Promise<ConsortiumKey | undefined> {
  const members = MemberRegistry__factory.connect(deployment.memberRegistry, provider);
  const { value, source } = await readConfigVariableWithSource(hre, CONSORTIUM_KEY_VARIABLE);
  if (value !== undefined) {
    return verifiedConsortiumKey(members, value, source);
  } else if ((await provider.getCode(deployment.memberRegistry)) === "0x") {
    throw new Error(
      `no contract at ${deployment.memberRegistry} on chain ${chainId}: ${file} is another chain's record`,
    );
  }
  return undefined;
}

/**
 * The operator's key as a wallet when the network's configuration holds it (a configuration variable, or the
 * keystore): the service then records each transaction's hash before broadcasting it (src/queue.ts), so a lost
 * answer from the node never frees an Idempotency-Key for a second sending. A node's unlocked account stays the
 * node's.
 */
async function operatorSigner(
  connection: Awaited<ReturnType<HardhatRuntimeEnvironment["network"]["create"]>>,
  picked: Signer & { address: string },
): Promise<Signer> {
  const accounts: unknown = connection.networkConfig.accounts;
  if (!Array.isArray(accounts)) return picked;
  for (const account of accounts as unknown[]) {
    const variable = (
      typeof account === "object" && account !== null && "privateKey" in account ? account.privateKey : account
    ) as { getHexString?: () => Promise<string> } | undefined;
    if (typeof variable?.getHexString !== "function") continue;
    const wallet = new Wallet(await variable.getHexString(), connection.ethers.provider as unknown as Provider);
    if (wallet.address.toLowerCase() === picked.address.toLowerCase()) return wallet;
  }
  return picked;
}

/** Starts the service and runs until Ctrl-C (SIGINT) or SIGTERM. */
export async function serveTask(args: ServeArgs, hre: HardhatRuntimeEnvironment): Promise<void> {
  const port = wholeNumber("port", args.port, 65_535);
  const confirmations = wholeNumber("confirmations", args.confirmations, 1_000);
  if (args.host !== "127.0.0.1" && args.host !== "localhost" && args.host !== "::1") {
    throw new Error(`--host ${args.host}: the service listens on loopback only; put a TLS proxy in front of it`);
  }
  const connection = await hre.network.create();
  const provider = connection.ethers.provider;
  const { chainId } = await provider.getNetwork();
  const file = args.deployment === "" ? deploymentPath(chainId, hre.config.paths.root) : args.deployment;
  const deployment = await loadDeployment(file);
  const key = await checkDeployment(hre, provider, deployment, file, chainId);
  const signer = await operatorSigner(connection, await pickSigner(await connection.ethers.getSigners(), args.from));
  const service = await startService({
    signer,
    ...(key === undefined ? {} : { consortiumKey: async () => key }),
    provider,
    chainId: Number(chainId),
    deployment,
    fromBlock: await deploymentBlock(file),
    databaseUrl: await databaseUrl(hre, args.database),
    dataDir: path.join(hre.config.paths.root, "data"),
    host: args.host,
    port,
    confirmations,
    allowPrivateWebhooks: await allowPrivateWebhooks(hre),
    webhookKey: await configuredWebhookKey(hre, WEBHOOK_KEY_VARIABLE),
    previousWebhookKey: await configuredWebhookKey(hre, PREVIOUS_WEBHOOK_KEY_VARIABLE),
  });
  console.log(`Tradeline service on ${service.url} (API reference ${service.url}/openapi.json); Ctrl-C stops it`);
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await service.stop();
}

/** Moves the service's own tables to another database (`--to`); the new database's read model is re-indexed. */
export async function moveTask(
  args: { database: string; to: string },
  hre: HardhatRuntimeEnvironment,
): Promise<string[]> {
  const to = args.to.trim();
  if (to === "") throw new Error("--to is required: the database to move to (a postgres:// URL or an SQLite file)");
  passwordFree(to, "--to");
  const connection = await hre.network.create();
  const { chainId } = await connection.ethers.provider.getNetwork();
  const url = await databaseUrl(hre, args.database);
  const source = openDatabase(url, path.join(hre.config.paths.root, "data", `tradeline-${chainId}.sqlite`));
  const destination = openDatabase(to, to);
  try {
    await migrate(source.db as never, source.engine);
    await migrate(destination.db as never, destination.engine);
    // Sealed webhook secrets are sealed again for their tokens' new ids, with the key they were sealed with.
    const webhookKey = await configuredWebhookKey(hre, WEBHOOK_KEY_VARIABLE);
    const moved = await moveOwnTables(source.db, destination.db, { webhookKey });
    return [
      `moved to ${maskUrl(to)}: ${moved.tokens} token(s), ${moved.audit} audit row(s), ${moved.idempotency} ` +
        `idempotency answer(s), ${moved.uploads} upload job(s), ${moved.webhooks} webhook(s) with ` +
        `${moved.deliveries} delivery row(s)`,
      `  start serve with --database on it: the read model is re-indexed from the chain (${maskUrl(url ?? source.where)} is left as it was)`,
    ];
  } finally {
    await source.close();
    await destination.close();
  }
}

export interface TokenArgs {
  create: string;
  roles: string;
  revoke: string;
  list: boolean;
  database: string;
}

/** Creates, revokes or lists API tokens in the service's database. */
export async function tokenTask(args: TokenArgs, hre: HardhatRuntimeEnvironment): Promise<string[]> {
  // One action a run: a rotation given as `--create … --revoke <old>` used to create and skip the revocation,
  // leaving the leaked token live (adversarial review 16, R16-1).
  const actions = [args.create.trim() !== "", args.revoke.trim() !== "", args.list].filter(Boolean).length;
  if (actions !== 1) {
    throw new Error(
      `say one of --create <name> --roles <${API_ROLES.join("|")},…>, --revoke <id> or --list` +
        (actions > 1 ? ": to rotate a token, create the new one, then revoke the old one in a second run" : ""),
    );
  }
  if (args.roles.trim() !== "" && args.create.trim() === "") throw new Error("--roles goes with --create");
  const connection = await hre.network.create();
  const { chainId } = await connection.ethers.provider.getNetwork();
  const url = await databaseUrl(hre, args.database);
  const database = openDatabase(url, path.join(hre.config.paths.root, "data", `tradeline-${chainId}.sqlite`));
  try {
    await migrate(database.db as never, database.engine);
    const where = url === undefined ? database.where : maskUrl(url);
    if (args.create.trim() !== "") {
      const { id, token } = await createToken(database.db, args.create.trim(), parseRoles(args.roles));
      return [
        `created token ${id} for ${args.create.trim()} (${args.roles}) in ${where}:`,
        `  ${token}`,
        "  it is shown once: the database keeps only its SHA-256",
      ];
    }
    if (args.revoke.trim() !== "") {
      const id = wholeNumber("revoke", args.revoke.trim(), Number.MAX_SAFE_INTEGER);
      if (!(await revokeToken(database.db, id))) throw new Error(`no live token ${id} in ${where}`);
      return [`revoked token ${id}`];
    }
    // --list
    const rows = await database.db.selectFrom("api_tokens").selectAll().orderBy("id").execute();
    return formatTable([
      ["id", "name", "roles", "created", "revoked"],
      ...rows.map((r) => [
        String(r.id),
        r.name,
        r.roles,
        new Date(Number(r.created_at) * 1000).toISOString(),
        r.revoked_at === null ? "" : new Date(Number(r.revoked_at) * 1000).toISOString(),
      ]),
    ]);
  } finally {
    await database.close();
  }
}
