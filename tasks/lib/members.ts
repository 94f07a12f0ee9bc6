/** Member and token operations behind the tasks: each returns the lines to print. */
import { readFile } from "node:fs/promises";

import { getAddress, isAddress } from "ethers";

import { tokenFor, type TradelineContracts } from "../../src/deployment.js";
import {
  decodeCode,
  formatAmount,
  jurisdictionCode,
  legalIdHash,
  parseAmount,
  reasonCode,
} from "../../src/encoding.js";
import { type ConsortiumKey, DEVELOPMENT_KEY_CHECK, keyCheck, normalizeDate } from "../../src/keys.js";
import { entityKey, parseRoles, roleNames, statusName, suspendMember } from "../../src/members.js";

import { parseMemberId, requireOption } from "../../src/input.js";

import type { Session } from "./session.js";

export { parseMemberId, requireOption, wholeNumber } from "../../src/input.js";

/** Checks an address argument, naming the option on failure. */
export function requireAddress(value: string, option: string): string {
  const text: string = value;
  if (!isAddress(value)) {
    const checksum = isAddress(text.toLowerCase()) ? " (its checksum is wrong: check the mixed case)" : "";
    throw new Error(`${option} "${value}" is not an address${checksum}`);
  }
  return getAddress(value);
}

/** A UTC date (YYYY-MM-DD) given in option `option` as the last second of that day, in Unix seconds. */
export function parseEndOfDay(date: string, option: string): bigint {
  return BigInt(Date.parse(`${normalizeDate(requireOption(date, option), option)}T00:00:00Z`) / 1000) + 86_399n;
}

export async function admit(
  c: TradelineContracts,
  args: { legalId: string; bic?: string; jurisdiction: string; roles: string; admin: string },
  session: Pick<Session, "consortiumKey">,
): Promise<string[]> {
  const lei = requireOption(args.legalId, "--legal-id");
  const admin = requireAddress(args.admin, "--admin");
  const roles = parseRoles(args.roles);
  const bic = (args.bic ?? "").trim();
  const bicHash = bic === "" ? undefined : legalIdHash(bic);
  const key = entityKey(await session.consortiumKey(), lei);
  const tx = await c.members.admit(legalIdHash(lei), key, jurisdictionCode(args.jurisdiction), roles, admin);
  const receipt = await tx.wait();
  const event = receipt?.logs.map((l) => c.members.interface.parseLog(l)).find((e) => e?.name === "MemberAdmitted");
  const id = event?.args.id as bigint;
  const lines = [
    `admitted member ${id} (${lei.toUpperCase()}, ${args.jurisdiction.toUpperCase()})`,
    `  roles: ${roleNames(roles).join(", ")}`,
    `  admin: ${admin}`,
    `  tx:    ${tx.hash}`,
  ];
  if (bicHash !== undefined) {
    const bicTx = await c.members.addLegalId(id, bicHash);
    await bicTx.wait();
    lines.push(`  bic:   ${bic.toUpperCase()} recorded (tx ${bicTx.hash})`);
  }
  return lines;
}

/**
 * The Ignition parameters that derive from the consortium key: its check value (`keyCheck`) and the settlement-token
 * issuer's legal-id hash, entity key and jurisdiction, as the JSON of a parameters file's "Tradeline" module.
 */
export function consortiumParameters(
  key: ConsortiumKey,
  args: { issuerLei: string; issuerJurisdiction: string; issuerAdmin: string; development?: boolean },
): Record<string, Record<string, string>> {
  const lei = requireOption(args.issuerLei, "--issuer-lei");
  if (keyCheck(key) === DEVELOPMENT_KEY_CHECK && !args.development) {
    throw new Error(
      "TRADELINE_CONSORTIUM_KEY is the public development key, which anyone can read: a network deployed with it " +
        "is bound to it for good. Draw the consortium's own key (e.g. openssl rand -hex 32)",
    );
  }
  const parameters: Record<string, string> = {
    keyCheck: keyCheck(key),
    issuerLegalIdHash: legalIdHash(lei),
    issuerEntityKey: entityKey(key, lei),
    issuerJurisdiction: jurisdictionCode(requireOption(args.issuerJurisdiction, "--issuer-jurisdiction")),
  };
  if (args.issuerAdmin.trim() !== "") parameters.issuerAdmin = requireAddress(args.issuerAdmin, "--issuer-admin");
  return { Tradeline: parameters };
}

export async function suspend(c: TradelineContracts, args: { id: string; reason: string }): Promise<string[]> {
  const id = parseMemberId(args.id);
  const receipt = await suspendMember(c.members, id, reasonCode(args.reason));
  return [`suspended member ${id} (reason: ${args.reason})`, `  tx: ${receipt.hash}`];
}

/** A fixed-width table of every member. */
export async function list(c: TradelineContracts): Promise<string[]> {
  const count = await c.members.memberCount();
  const rows = [["id", "jurisdiction", "status", "operators", "admin", "roles"]];
  for (let id = 1n; id <= count; id++) {
    const m = await c.members.getMember(id);
    rows.push([
      String(id),
      decodeCode(m.jurisdiction),
      statusName(m.status),
      String(m.operatorCount),
      m.admin,
      roleNames(m.roles).join(","),
    ]);
  }
  if (count === 0n) return ["no members"];
  return formatTable(rows);
}

export async function mint(
  c: TradelineContracts,
  args: { currency: string; to: string; amount: string },
): Promise<string[]> {
  const token = tokenFor(c, args.currency);
  const to = requireAddress(args.to, "--to");
  const decimals = await token.decimals();
  const value = parseAmount(requireOption(args.amount, "--amount"), decimals, { name: "--amount", bits: 256 });
  const tx = await token.mint(to, value);
  await tx.wait();
  const balance = formatAmount(await token.balanceOf(to), decimals);
  return [
    `minted ${formatAmount(value, decimals)} ${args.currency.toUpperCase()} to ${to}; balance now ${balance}`,
    `  tx: ${tx.hash}`,
  ];
}

export async function balance(c: TradelineContracts, args: { account: string; currency: string }): Promise<string[]> {
  const account = requireAddress(args.account, "--account");
  const codes = args.currency === "" ? Object.keys(c.tokens) : [args.currency.toUpperCase()];
  const rows = [["currency", "balance", "frozen"]];
  for (const code of codes) {
    const token = tokenFor(c, code);
    const decimals = await token.decimals();
    rows.push([
      decodeCode(await token.currency()),
      formatAmount(await token.balanceOf(account), decimals),
      String(await token.isFrozen(account)),
    ]);
  }
  return [`balances of ${account}`, ...formatTable(rows)];
}

/** Left-aligned columns separated by two spaces. */
export function formatTable(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) =>
    r
      .map((cell, i) => cell.padEnd(widths[i]))
      .join("  ")
      .trimEnd(),
  );
}

/** Reads a JSON file another party wrote (a quote, an attestation); the errors name the file and what it should be. */
export async function readJsonFile(file: string, what: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    throw new Error(`cannot read the ${what} file ${file}`);
  }
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new Error(`${file} is not JSON: expected a ${what} file`);
  }
}
