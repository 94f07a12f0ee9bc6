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
  tradelineTask("credit:register", "Register a loan of your member (lender); JointLoan takes --funders")
    .addOption({ name: "borrowerType", description: "Borrower id type, e.g. CN-RIC, MX-CURP, USCC", defaultValue: "" })
    .addOption({ name: "borrowerId", description: "Borrower id number (keyed, never sent)", defaultValue: "" })
    .addOption({ name: "ref", description: "Your loan reference, up to 31 characters", defaultValue: "" })
    .addOption({
      name: "product",
      description: "ConsumerLoan, SmeLoan, JointLoan, ReceivableFinance or TradeFinance",
      defaultValue: "ConsumerLoan",
    })
    .addOption({ name: "principal", description: "Principal in major units, e.g. 50000.00", defaultValue: "" })
    .addOption({ name: "outstanding", description: "Outstanding now; empty means the principal", defaultValue: "" })
    .addOption({ name: "originated", description: "Origination date, YYYY-MM-DD (UTC)", defaultValue: "" })
    .addOption({ name: "matures", description: "Maturity date, YYYY-MM-DD (UTC)", defaultValue: "" })
    .addOption({ name: "salt", description: "Commitment salt (0x + 64 hex); empty draws one", defaultValue: "" })
    .addOption({
      name: "funders",
      description: "JointLoan funders, memberId:bps pairs, e.g. 3:7000,6:3000",
      defaultValue: "",
    })
    .setAction(lazy("creditRegister"))
    .build(),
  tradelineTask("credit:repay", "Report a repayment of your loan; repaying it all marks it Repaid")
    .addOption({ name: "ref", description: "Your loan reference", defaultValue: "" })
    .addOption({ name: "amount", description: "Amount repaid, in major units", defaultValue: "" })
    .setAction(lazy("creditRepay"))
    .build(),
  tradelineTask("credit:status", "Move your loan to Overdue, Active (cured), Defaulted, WrittenOff or Repaid")
    .addOption({ name: "ref", description: "Your loan reference", defaultValue: "" })
    .addOption({ name: "to", description: "New status", defaultValue: "" })
    .setAction(lazy("creditStatus"))
    .build(),
  tradelineTask("credit:check", "Logged inquiry: a borrower's exposure and what the policy says of a new loan")
    .addOption({ name: "borrowerType", description: "Borrower id type, e.g. CN-RIC", defaultValue: "" })
    .addOption({ name: "borrowerId", description: "Borrower id number (keyed, never sent)", defaultValue: "" })
    .addOption({
      name: "consent",
      description: "Borrower's authorization: its 0x hash, or text to hash",
      defaultValue: "",
    })
    .addOption({ name: "purpose", description: "Purpose code, up to 31 characters", defaultValue: "NEW_LOAN" })
    .addOption({ name: "amount", description: "The loan you consider, in major units (optional)", defaultValue: "" })
    .setAction(lazy("creditCheck"))
    .build(),
  tradelineTask("credit:dispute", "Open, answer, correct (regulator) or resolve (regulator) a dispute on a loan")
    .addOption({ name: "action", description: "open, answer, correct or resolve", defaultValue: "open" })
    .addOption({ name: "lender", description: "Member id of the reporting lender", defaultValue: "" })
    .addOption({ name: "ref", description: "The lender's loan reference", defaultValue: "" })
    .addOption({ name: "reason", description: "Reason code (answer: text of the answer, hashed)", defaultValue: "" })
    .addOption({ name: "to", description: "correct: the corrected status", defaultValue: "" })
    .addOption({ name: "outstanding", description: "correct: the corrected outstanding", defaultValue: "" })
    .addOption({ name: "commitment", description: "correct: commitment of the corrected record", defaultValue: "" })
    .setAction(lazy("creditDispute"))
    .build(),
  tradelineTask("credit:import", "Register a lender's loan file (CSV) in batches; any bad row stops it all")
    .addOption({ name: "file", description: "CSV file; see examples/credit/loans.csv", defaultValue: "" })
    .addOption({ name: "batchSize", description: "Records per transaction", defaultValue: "100" })
    .setAction(lazy("creditImport"))
    .build(),
];
