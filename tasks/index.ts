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

/** The logged inquiry, under a consent id of the consent book. */
function inquiryTask(id: string, description: string) {
  return tradelineTask(id, description)
    .addOption({ name: "borrowerType", description: "Borrower id type, e.g. CN-RIC", defaultValue: "" })
    .addOption({ name: "borrowerId", description: "Borrower id number (keyed, never sent)", defaultValue: "" })
    .addOption({
      name: "consent",
      description: "Id of the borrower's consent (credit:consent prints it)",
      defaultValue: "",
    })
    .addOption({
      name: "purpose",
      description: "The consent's purpose: NewCredit, AccountReview, LimitReview, Guarantee or Collections",
      defaultValue: "NewCredit",
    })
    .addOption({ name: "amount", description: "The loan you consider, in major units (optional)", defaultValue: "" })
    .addOption({
      name: "product",
      description: "The loan's product: ConsumerLoan, SmeLoan, JointLoan, ReceivableFinance or TradeFinance",
      defaultValue: "ConsumerLoan",
    })
    .addOption({
      name: "aprBps",
      description: "The loan's APR in basis points (2387 = 23.87%), judged against the policy's cap (optional)",
      defaultValue: "",
    })
    .addOption({
      name: "loan",
      description: "Collections: your loan's reference being collected, also once written off (optional)",
      defaultValue: "",
    })
    .setAction(lazy("creditCheck"))
    .build();
}

export const tasks = [
  task(
    "consortium:parameters",
    "Print the Ignition parameters derived from the consortium key: its check value and the issuer's keys",
  )
    .addOption({
      name: "issuerLei",
      description: "LEI of the settlement bank that issues the tokens",
      defaultValue: "",
    })
    .addOption({ name: "issuerJurisdiction", description: "Its ISO 3166 alpha-2 code, e.g. CN", defaultValue: "" })
    .addOption({ name: "issuerAdmin", description: "Its admin address; empty leaves the default", defaultValue: "" })
    .addOption({ name: "out", description: "Write the JSON to this file instead of printing it", defaultValue: "" })
    .addFlag({ name: "development", description: "Allow the public development key (local chains only)" })
    .setAction(lazy("consortiumParameters"))
    .build(),
  tradelineTask("member:admit", "Admit an institution as a member (governor)")
    .addOption({
      name: "legalId",
      description: "LEI of the institution (its entity key derives from it)",
      defaultValue: "",
    })
    .addOption({ name: "bic", description: "BIC of the institution, recorded beside the LEI", defaultValue: "" })
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
    .addOption({
      name: "outstanding",
      description: "Outstanding now; empty means the principal (with a plan, its total due)",
      defaultValue: "",
    })
    .addOption({ name: "originated", description: "Origination date, YYYY-MM-DD (UTC)", defaultValue: "" })
    .addOption({
      name: "matures",
      description: "Maturity date, YYYY-MM-DD (UTC); with a plan, empty means its last due date",
      defaultValue: "",
    })
    .addOption({ name: "salt", description: "Commitment salt (0x + 64 hex); empty draws one", defaultValue: "" })
    .addOption({
      name: "funders",
      description: "JointLoan funders, memberId:bps pairs, e.g. 3:7000,6:3000",
      defaultValue: "",
    })
    .addOption({
      name: "aprBps",
      description: "Disclosed APR in basis points (2387 = 23.87%); empty computes a consumer plan's APR",
      defaultValue: "",
    })
    .addOption({ name: "instalments", description: "Instalment plan: number of instalments", defaultValue: "" })
    .addOption({ name: "frequency", description: "Plan: weekly or monthly; empty means monthly", defaultValue: "" })
    .addOption({ name: "firstDue", description: "Plan: first due date, YYYY-MM-DD (UTC)", defaultValue: "" })
    .addOption({ name: "instalment", description: "Plan: each instalment, in major units", defaultValue: "" })
    .addOption({
      name: "finalInstalment",
      description: "Plan: the last instalment; empty means the same as the others",
      defaultValue: "",
    })
    .addOption({
      name: "amortiseRateBps",
      description: "Plan: instead of --instalment, a nominal annual rate in basis points amortising the principal",
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
  inquiryTask("credit:inquire", "Logged inquiry under a recorded consent: exposure and the policy's verdict"),
  tradelineTask("credit:consent", "Record a borrower's consent to look-ups, collected by your member; prints its id")
    .addOption({ name: "borrowerType", description: "Borrower id type, e.g. CN-RIC", defaultValue: "" })
    .addOption({ name: "borrowerId", description: "Borrower id number (keyed, never sent)", defaultValue: "" })
    .addOption({
      name: "document",
      description: "The signed consent's reference text, committed to with a salt (never a hash)",
      defaultValue: "",
    })
    .addOption({
      name: "documentSalt",
      description: "Salt of the document's commitment (0x + 64 hex); empty draws one, printed to keep",
      defaultValue: "",
    })
    .addOption({
      name: "purpose",
      description: "NewCredit, AccountReview, LimitReview, Guarantee or Collections",
      defaultValue: "NewCredit",
    })
    .addOption({ name: "expires", description: "Last day in force, YYYY-MM-DD (UTC)", defaultValue: "" })
    .addOption({
      name: "covered",
      description: "Other members that may rely on it: ids, comma-separated (at most 4)",
      defaultValue: "",
    })
    .setAction(lazy("creditConsent"))
    .build(),
  tradelineTask("credit:revoke-consent", "Record a borrower's withdrawal of a consent (its holder or a regulator)")
    .addOption({ name: "consent", description: "Consent id (0x + 64 hex)", defaultValue: "" })
    .addOption({ name: "reason", description: "Reason code, up to 31 characters", defaultValue: "" })
    .setAction(lazy("creditRevokeConsent"))
    .build(),
  tradelineTask("credit:age", "Apply what time changed on a loan: delinquency bucket, Overdue, end of retention")
    .addOption({ name: "loanId", description: "Loan id (0x + 64 hex), as registration printed it", defaultValue: "" })
    .setAction(lazy("creditAge"))
    .build(),
  tradelineTask("credit:score", "A borrower's shared credit score and its reasons (not logged)")
    .addOption({ name: "borrowerType", description: "Borrower id type, e.g. CN-RIC", defaultValue: "" })
    .addOption({ name: "borrowerId", description: "Borrower id number (keyed, never sent)", defaultValue: "" })
    .setAction(lazy("creditScore"))
    .build(),
  tradelineTask("credit:report", "A borrower's credit report: loans, inquiries, consents, disputes and score")
    .addOption({ name: "borrowerType", description: "Borrower id type, e.g. CN-RIC", defaultValue: "" })
    .addOption({ name: "borrowerId", description: "Borrower id number (keyed, never sent)", defaultValue: "" })
    .addFlag({ name: "json", description: "Print the report as JSON" })
    .addOption({
      name: "serviceUrl",
      description: "Read it from a Tradeline service's read model instead of the chain",
      defaultValue: "",
    })
    .addOption({ name: "token", description: "Bearer token for --service-url", defaultValue: "" })
    .setAction(lazy("creditReport"))
    .build(),
  tradelineTask("credit:dispute", "Open, answer, correct (regulator) or resolve (regulator) a dispute on a loan")
    .addOption({ name: "action", description: "open, answer, correct or resolve", defaultValue: "open" })
    .addOption({ name: "lender", description: "Member id of the reporting lender", defaultValue: "" })
    .addOption({ name: "ref", description: "The lender's loan reference", defaultValue: "" })
    .addOption({
      name: "reason",
      description: "Reason code (answer: text of the answer, committed to with a salt)",
      defaultValue: "",
    })
    .addOption({ name: "salt", description: "answer: salt of its commitment; empty draws one", defaultValue: "" })
    .addOption({ name: "to", description: "correct: the corrected status", defaultValue: "" })
    .addOption({
      name: "outstanding",
      description: "correct: the corrected outstanding, required (0 included)",
      defaultValue: "",
    })
    .addOption({ name: "commitment", description: "correct: commitment of the corrected record", defaultValue: "" })
    .setAction(lazy("creditDispute"))
    .build(),
  tradelineTask("credit:import", "Register a lender's loan file (CSV) in batches; any bad row stops it all")
    .addOption({ name: "file", description: "CSV file; see examples/credit/loans.csv", defaultValue: "" })
    .addOption({ name: "batchSize", description: "Records per transaction", defaultValue: "100" })
    .setAction(lazy("creditImport"))
    .build(),
  tradelineTask(
    "scf:line",
    "Choose the line's bank (core enterprise, --financier); grant, raise, cut or freeze it (that financier)",
  )
    .addOption({ name: "debtor", description: "Member id of the core enterprise", defaultValue: "" })
    .addOption({ name: "limit", description: "Line in major units", defaultValue: "" })
    .addOption({
      name: "currency",
      description: "ISO 4217 code of the line (one line per currency)",
      defaultValue: "CNY",
    })
    .addOption({
      name: "financier",
      description: "Core enterprise: the financier member id its line in --currency belongs to",
      defaultValue: "",
    })
    .addOption({ name: "freeze", description: "true or false to freeze or unfreeze instead", defaultValue: "" })
    .setAction(lazy("scfLine"))
    .build(),
  tradelineTask("scf:issue", "Issue a confirmed receivable (core enterprise), or request one (supplier, --debtor)")
    .addOption({
      name: "supplier",
      description: "Tier-1 supplier's address (core enterprise issuing)",
      defaultValue: "",
    })
    .addOption({ name: "debtor", description: "Core enterprise's member id (supplier requesting)", defaultValue: "" })
    .addOption({ name: "face", description: "Face value in major units", defaultValue: "" })
    .addOption({ name: "currency", description: "Settlement token, ISO 4217", defaultValue: "CNY" })
    .addOption({ name: "maturity", description: "Maturity date, YYYY-MM-DD (UTC)", defaultValue: "" })
    .addOption({ name: "invoices", description: "Invoice numbers, comma-separated", defaultValue: "" })
    .addOption({ name: "issueDate", description: "The invoices' issue date, YYYY-MM-DD", defaultValue: "" })
    .setAction(lazy("scfIssue"))
    .build(),
  tradelineTask("scf:confirm", "Confirm a requested receivable (its debtor)")
    .addOption({ name: "id", description: "Receivable, e.g. R1.0", defaultValue: "" })
    .setAction(lazy("scfConfirm"))
    .build(),
  tradelineTask("scf:reject", "Reject a request (its debtor), withdraw it (its supplier), or close it once lapsed")
    .addOption({ name: "id", description: "Requested receivable, e.g. R1.0", defaultValue: "" })
    .addOption({
      name: "lapse",
      description: "true: close a request past its maturity (anyone)",
      defaultValue: "false",
    })
    .setAction(lazy("scfReject"))
    .build(),
  tradelineTask("scf:default", "Declare a financed piece you hold in default once its family is overdue (financier)")
    .addOption({ name: "id", description: "Financed receivable, e.g. R1.1", defaultValue: "" })
    .setAction(lazy("scfDefault"))
    .build(),
  tradelineTask(
    "scf:close-recourse",
    "Close the recourse record of a piece you financed with recourse: the seller made you whole (financier)",
  )
    .addOption({ name: "id", description: "Financed receivable, e.g. R1.1", defaultValue: "" })
    .setAction(lazy("scfCloseRecourse"))
    .build(),
  tradelineTask(
    "scf:default-recourse",
    "Declare the seller's recourse on a piece you financed in default: the seller did not make you whole (financier)",
  )
    .addOption({ name: "id", description: "Financed receivable, e.g. R1.1", defaultValue: "" })
    .setAction(lazy("scfDefaultRecourse"))
    .build(),
  tradelineTask(
    "scf:settle-records",
    "Close the credit records of a piece of a repaid family that cannot be collected yet, e.g. frozen (anyone)",
  )
    .addOption({ name: "id", description: "Receivable of a repaid family, e.g. R1.1", defaultValue: "" })
    .setAction(lazy("scfSettleRecords"))
    .build(),
  tradelineTask("scf:claim", "Pay what the ledger parked for a member to its current payout account (anyone)")
    .addOption({ name: "member", description: "Member id", defaultValue: "" })
    .addOption({ name: "currency", description: "Settlement token, ISO 4217", defaultValue: "CNY" })
    .setAction(lazy("scfClaim"))
    .build(),
  tradelineTask("scf:split", "Split a receivable you hold; it keeps the first face")
    .addOption({ name: "id", description: "Receivable, e.g. R1.0", defaultValue: "" })
    .addOption({
      name: "faces",
      description: "Faces in major units, comma-separated, summing to its face",
      defaultValue: "",
    })
    .addOption({
      name: "to",
      description: "Suppliers' addresses to hand the parts to, one per face, comma-separated (empty keeps it)",
      defaultValue: "",
    })
    .setAction(lazy("scfSplit"))
    .build(),
  tradelineTask("scf:transfer", "Pass a receivable you hold to another supplier")
    .addOption({ name: "id", description: "Receivable, e.g. R1.1", defaultValue: "" })
    .addOption({ name: "to", description: "The supplier's address", defaultValue: "" })
    .setAction(lazy("scfTransfer"))
    .build(),
  tradelineTask("scf:quote", "Sign a discount quote for a receivable (financier) and write it to a file")
    .addOption({ name: "id", description: "Receivable, e.g. R1.1", defaultValue: "" })
    .addOption({ name: "rateBps", description: "Discount rate, basis points per year", defaultValue: "" })
    .addOption({ name: "dayBase", description: "360 or 365", defaultValue: "360" })
    .addOption({ name: "recourse", description: "true to finance with recourse", defaultValue: "false" })
    .addOption({
      name: "seller",
      description: "Member id the quote is for (default: the piece's holder now)",
      defaultValue: "",
    })
    .addOption({ name: "validFor", description: "Seconds the quote stays valid", defaultValue: "3600" })
    .addOption({ name: "out", description: "File to write the signed quote to", defaultValue: "" })
    .setAction(lazy("scfQuote"))
    .build(),
  tradelineTask("scf:finance", "Sell the receivable a quote file names to its financier (holder)")
    .addOption({ name: "quote", description: "Quote file written by scf:quote", defaultValue: "" })
    .setAction(lazy("scfFinance"))
    .build(),
  tradelineTask("scf:repay", "Pay a receivable family (anyone for its debtor, also after a default), then every holder")
    .addOption({ name: "id", description: "Any receivable of the family, e.g. R1.0", defaultValue: "" })
    .setAction(lazy("scfRepay"))
    .build(),
  tradelineTask("scf:trace", "Print a receivable's tree from root to leaves, rebuilt from events")
    .addOption({ name: "id", description: "Any receivable of the family, e.g. R1.2", defaultValue: "" })
    .setAction(lazy("scfTrace"))
    .build(),
  tradelineTask("trade:create", "Propose an order (importer): parties, amount, tranches and deadlines")
    .addOption({ name: "exporter", description: "Exporter's member id", defaultValue: "" })
    .addOption({ name: "importerBank", description: "Importer's bank member id (funds the escrow)", defaultValue: "" })
    .addOption({ name: "exporterBank", description: "Exporter's bank member id", defaultValue: "" })
    .addOption({
      name: "document",
      description: "The order document's reference (committed to, salted)",
      defaultValue: "",
    })
    .addOption({
      name: "documentSalt",
      description: "Salt of the document's commitment (0x + 64 hex); empty draws one, printed to keep",
      defaultValue: "",
    })
    .addOption({ name: "amount", description: "Amount in major units of --currency", defaultValue: "" })
    .addOption({ name: "currency", description: "Pay currency, e.g. MXN", defaultValue: "" })
    .addOption({ name: "payout", description: "Exporter's currency; empty means the pay currency", defaultValue: "" })
    .addOption({ name: "tranches", description: "e.g. 30:Shipped,40:CustomsCleared,30:Delivered", defaultValue: "" })
    .addOption({ name: "shipBy", description: "Shipment deadline, YYYY-MM-DD", defaultValue: "" })
    .addOption({ name: "objectionDays", description: "Objection window after delivery, days", defaultValue: "3" })
    .addOption({ name: "expires", description: "Expiry, YYYY-MM-DD", defaultValue: "" })
    .addOption({ name: "importerFeeBps", description: "Importer's bank fee, bps", defaultValue: "0" })
    .addOption({ name: "exporterFeeBps", description: "Exporter's bank fee, bps", defaultValue: "0" })
    .setAction(lazy("tradeCreate"))
    .build(),
  tradelineTask("trade:accept", "Accept an order (exporter)")
    .addOption({ name: "order", description: "Order id", defaultValue: "" })
    .setAction(lazy("tradeAccept"))
    .build(),
  tradelineTask("trade:fund", "Lock an order's amount in escrow (importer's bank); approves exactly that first")
    .addOption({ name: "order", description: "Order id", defaultValue: "" })
    .addFlag({ name: "permit", description: "Sign an ERC-2612 permit instead: one transaction, no approval" })
    .setAction(lazy("tradeFund"))
    .build(),
  tradelineTask("trade:attest", "Sign evidence (oracle, --out) or relay signed evidence (--signatures)")
    .addOption({ name: "order", description: "Order id", defaultValue: "" })
    .addOption({ name: "kind", description: "Shipped, CustomsCleared, Delivered or Inspected", defaultValue: "" })
    .addOption({
      name: "document",
      description: "The evidence document's reference (committed to, salted)",
      defaultValue: "",
    })
    .addOption({
      name: "documentSalt",
      description:
        "Salt of the document's commitment: empty draws one when signing, or takes the signers' when relaying",
      defaultValue: "",
    })
    .addOption({ name: "signatures", description: "Attestation files to relay, comma-separated", defaultValue: "" })
    .addOption({
      name: "quote",
      description: "FX quote file for the payment, when currencies differ",
      defaultValue: "",
    })
    .addOption({ name: "out", description: "Sign instead of relaying, writing the attestation here", defaultValue: "" })
    .setAction(lazy("tradeAttest"))
    .build(),
  tradelineTask(
    "trade:pay",
    "Pay an order's released tranches (or an arbiter's award held) that waited for an FX quote (anyone)",
  )
    .addOption({ name: "order", description: "Order id", defaultValue: "" })
    .addOption({ name: "quote", description: "FX quote file (written by trade:quote)", defaultValue: "" })
    .setAction(lazy("tradePay"))
    .build(),
  tradelineTask("trade:quote", "Sign an FX quote for one order's payee (FX provider) and write it to a file")
    .addOption({ name: "order", description: "Order id the quote pays (its payee is read from it)", defaultValue: "" })
    .addOption({ name: "sell", description: "Currency sold, e.g. MXN", defaultValue: "" })
    .addOption({ name: "buy", description: "Currency bought, e.g. CNY", defaultValue: "" })
    .addOption({ name: "rate", description: "Units bought per unit sold, e.g. 0.38", defaultValue: "" })
    .addOption({ name: "max", description: "Most the quote may sell, major units", defaultValue: "" })
    .addOption({ name: "validFor", description: "Seconds the quote stays valid", defaultValue: "300" })
    .addOption({ name: "out", description: "File to write the signed quote to", defaultValue: "" })
    .setAction(lazy("tradeQuote"))
    .build(),
  tradelineTask("trade:cancel-quote", "Withdraw an FX quote you signed before it expires (its signer only)")
    .addOption({ name: "quote", description: "FX quote file (written by trade:quote)", defaultValue: "" })
    .setAction(lazy("tradeCancelQuote"))
    .build(),
  tradelineTask("trade:status", "Print an order's state, tranches and the evidence still awaited")
    .addOption({ name: "order", description: "Order id", defaultValue: "" })
    .setAction(lazy("tradeStatus"))
    .build(),
  tradelineTask(
    "trade:assign",
    "Pre-shipment finance: the financier signs an advance (--out), the exporter assigns with it (--assignment)",
  )
    .addOption({ name: "order", description: "Order id", defaultValue: "" })
    .addOption({ name: "financier", description: "The financier's member id (when signing)", defaultValue: "" })
    .addOption({ name: "advance", description: "The advance, major units of the reporting currency", defaultValue: "" })
    .addOption({ name: "validFor", description: "Seconds the signed agreement stays valid", defaultValue: "86400" })
    .addOption({ name: "out", description: "Sign as the financier, writing the agreement here", defaultValue: "" })
    .addOption({ name: "assignment", description: "The financier's signed agreement to submit", defaultValue: "" })
    .setAction(lazy("tradeAssign"))
    .build(),
  tradelineTask(
    "trade:cancel-assignment",
    "Withdraw an assignment offer you signed before it is used (its signer only)",
  )
    .addOption({ name: "order", description: "Order id", defaultValue: "" })
    .addOption({
      name: "assignment",
      description: "The signed offer (written by trade:assign --out)",
      defaultValue: "",
    })
    .setAction(lazy("tradeCancelAssignment"))
    .build(),
  tradelineTask(
    "trade:close-advance",
    "Close the credit record of an advance the ended order did not repay, repaid outside it (the financier)",
  )
    .addOption({ name: "order", description: "Order id", defaultValue: "" })
    .setAction(lazy("tradeCloseAdvance"))
    .build(),
  tradelineTask(
    "trade:default-advance",
    "Declare an advance the ended order did not repay in default, after the order's expiry (the financier)",
  )
    .addOption({ name: "order", description: "Order id", defaultValue: "" })
    .setAction(lazy("tradeDefaultAdvance"))
    .build(),
  tradelineTask("trade:fx-terms", "Name the FX provider and least rate for an order's payments (its payee)")
    .addOption({ name: "order", description: "Order id", defaultValue: "" })
    .addOption({ name: "provider", description: "The FX provider's member id", defaultValue: "" })
    .addOption({ name: "minRate", description: "Least rate taken, e.g. 0.37", defaultValue: "" })
    .setAction(lazy("tradeFxTerms"))
    .build(),
  tradelineTask("trade:dispute", "Dispute an order within the objection window (importer)")
    .addOption({ name: "order", description: "Order id", defaultValue: "" })
    .addOption({ name: "reason", description: "Reason code", defaultValue: "" })
    .setAction(lazy("tradeDispute"))
    .build(),
  tradelineTask("trade:resolve", "Split a disputed order's escrow (arbiter)")
    .addOption({ name: "order", description: "Order id", defaultValue: "" })
    .addOption({ name: "exporterShare", description: "Percent to the exporter, 0 to 100", defaultValue: "" })
    .addOption({ name: "quote", description: "FX quote file, when currencies differ", defaultValue: "" })
    .setAction(lazy("tradeResolve"))
    .build(),
  tradelineTask("trade:refund", "Apply a time rule anyone may call: unshipped, objection or expired")
    .addOption({ name: "order", description: "Order id", defaultValue: "" })
    .addOption({
      name: "rule",
      description: "unshipped (refund all), objection (release the rest to the exporter) or expired (refund the rest)",
      defaultValue: "unshipped",
    })
    .addOption({
      name: "quote",
      description: "FX quote file for --rule objection, when currencies differ",
      defaultValue: "",
    })
    .setAction(lazy("tradeRefund"))
    .build(),
  task("serve", "Run the Tradeline service: index the chain into the read model and serve the HTTP API")
    .addOption({
      name: "deployment",
      description: "Deployment record file; empty means Ignition's record for this chain",
      defaultValue: "",
    })
    .addOption({ name: "port", description: "TCP port on loopback", defaultValue: "8787" })
    .addOption({ name: "host", description: "Loopback address to listen on", defaultValue: "127.0.0.1" })
    .addOption({
      name: "from",
      description:
        "The operator account it signs with: an index or address of the network's accounts (default the first)",
      defaultValue: "",
    })
    .addOption({
      name: "database",
      description:
        "postgres:// URL or SQLite file; empty means TRADELINE_DATABASE_URL, else data/tradeline-<chain>.sqlite",
      defaultValue: "",
    })
    .addOption({
      name: "confirmations",
      description: "Blocks a block must be under before it is indexed (0 on a dev chain and on QBFT)",
      defaultValue: "0",
    })
    .setAction(lazy("serve"))
    .build(),
  task("service:move", "Move the service's tokens, audit log, jobs and webhooks to another database (e.g. PostgreSQL)")
    .addOption({
      name: "to",
      description: "The database to move to: a postgres:// URL or an SQLite file",
      defaultValue: "",
    })
    .addOption({ name: "database", description: "The database to move from; as for serve", defaultValue: "" })
    .setAction(lazy("serviceMove"))
    .build(),
  task("service:token", "Create, revoke or list the service's API tokens")
    .addOption({ name: "create", description: "Create a token for this holder's name", defaultValue: "" })
    .addOption({
      name: "roles",
      description:
        "Its roles, comma-separated: lender-desk, supply-chain-desk, exporter, importer, bank-treasury, regulator, operator",
      defaultValue: "",
    })
    .addOption({ name: "revoke", description: "Revoke the token with this id", defaultValue: "" })
    .addFlag({ name: "list", description: "List the tokens" })
    .addOption({ name: "database", description: "As for serve", defaultValue: "" })
    .setAction(lazy("serviceToken"))
    .build(),
];
