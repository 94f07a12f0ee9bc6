/**
 * Operator tasks. Each runs against the network given by `--network` (localhost, consortium, …), reads the
 * deployment record Ignition wrote for that chain (or `--deployment <file>`), and signs with `--from` (an account
 * index or address; default the first configured account).
 */
import { task } from "hardhat/config";

type ActionName = keyof typeof import("./actions.js");

/** Lazily loads one action, so the config loads before the contracts are compiled. */
const lazy =
  <N extends ActionName>(name: N) =>
  async () => ({ default: (await import("./actions.js"))[name] });

/** A task with the options every task shares. */
function tradelineTask(id: string, description: string) {
  return task(id, description)
    .addOption({
      name: "deployment",
      description: "Deployment record file; empty means Ignition's record for this chain",
      defaultValue: "",
    })
    .addOption({
      name: "from",
      description: "Signer: account index or address; empty means the first account",
      defaultValue: "",
    });
}

export const tasks = [
  tradelineTask("member:admit", "Admit an institution as a member (governor)")
    .addOption({ name: "legalId", description: "LEI or BIC of the institution", defaultValue: "" })
    .addOption({ name: "jurisdiction", description: "ISO 3166 alpha-2 country code, e.g. CN", defaultValue: "" })
    .addOption({ name: "roles", description: "Comma-separated roles, e.g. Lender,Financier", defaultValue: "" })
    .addOption({ name: "admin", description: "Address of the member's admin operator", defaultValue: "" })
    .setAction(lazy("memberAdmit"))
    .build(),
  tradelineTask("member:list", "Print every member: id, jurisdiction, status, operators, admin and roles")
    .setAction(lazy("memberList"))
    .build(),
  tradelineTask("member:suspend", "Suspend a member (governor)")
    .addOption({ name: "id", description: "Member id", defaultValue: "" })
    .addOption({ name: "reason", description: "Reason code, up to 31 characters", defaultValue: "" })
    .setAction(lazy("memberSuspend"))
    .build(),
  tradelineTask("token:mint", "Mint settlement tokens (token issuer)")
    .addOption({ name: "currency", description: "ISO 4217 code, e.g. CNY", defaultValue: "" })
    .addOption({ name: "to", description: "Recipient address (an active member's operator)", defaultValue: "" })
    .addOption({ name: "amount", description: "Amount in major units, e.g. 1250.50", defaultValue: "" })
    .setAction(lazy("tokenMint"))
    .build(),
  tradelineTask("token:balance", "Print an account's settlement-token balances")
    .addOption({ name: "account", description: "Address to look up", defaultValue: "" })
    .addOption({ name: "currency", description: "One ISO 4217 code; empty means every token", defaultValue: "" })
    .setAction(lazy("tokenBalance"))
    .build(),
];
