import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";
import { id } from "ethers";

import { DEFAULT_SCORECARD } from "../../src/credit.js";
import { roleMask } from "../../src/members.js";

/** The settlement currencies of the network: ISO 4217 code, name and decimals (minor units). */
const CURRENCIES = [
  { code: "CNY", name: "Tradeline Digital CNY", decimals: 2 },
  { code: "USD", name: "Tradeline Digital USD", decimals: 2 },
  { code: "MXN", name: "Tradeline Digital MXN", decimals: 2 },
] as const;

const TOKEN_ISSUER_ROLES = roleMask(["TokenIssuer"]);
const REPORTER_ROLES = roleMask(["Reporter"]);
/** legalIdHash("TLMODULESCF000000001"): the supply-chain ledger's own membership. */
const SCF_MODULE_LEGAL_ID_HASH = "0x3b235ecb941db75e0845ea96f3c0d739905da2be8d5cb35e909989f089a4f041";
/** legalIdHash("TLMODULETRADE0000001"): the trade settlement's own membership. */
const TRADE_MODULE_LEGAL_ID_HASH = "0xfcaeccf53b4d9c17b7a241217952d5686534f2f9556ad51737059a992328b718";

/** The modules' entity keys: modules are never borrowers, so any fixed unique value serves. */
const SCF_MODULE_ENTITY_KEY = id("tradeline:module:ReceivableLedger");
const TRADE_MODULE_ENTITY_KEY = id("tradeline:module:TradeSettlement");

const ascii = (s: string): string => `0x${Buffer.from(s, "ascii").toString("hex")}`;

/**
 * Deploys the whole network and wires its roles. The deploying account is the first governor; hand the seat to the
 * consortium's multisig or TimelockController afterwards (docs/operations.md).
 *
 * Parameters (ignition/parameters/<network>.json, module "Tradeline"; `npx hardhat consortium:parameters` prints the
 * key-derived ones for the configured consortium key):
 * - keyCheck: the consortium key's check value, `keyCheck(consortiumKey)` from the SDK; the member registry publishes
 *   it, and every task refuses a consortium key that does not match it.
 * - issuerLegalIdHash, issuerEntityKey, issuerJurisdiction, issuerAdmin: the settlement bank admitted as the
 *   tokens' issuer (named issuer of every token). Its entity key is `entityKey(consortiumKey, LEI)` from the SDK.
 * - creditCurrency: the credit registry's reporting currency as bytes3 hex (default "0x434e59", CNY).
 * - creditMaxLenders, creditMaxOutstanding (minor units), creditMaxInquiries, creditInquiryWindow (seconds),
 *   creditMaxPlatformShareBps, creditPolicyMode (0 flag, 1 enforce): the first multi-borrowing policy; 0 is no limit.
 * - creditMaxAprBps (default 3600, 36 %: the ceiling above which China's courts do not uphold consumer-credit interest;
 *   0 is no cap), applied in creditPolicyMode like the other limits; creditGraceDays (default 15): days past due after
 *   which anyone may move a plan loan to Overdue.
 * - The consent book (checked by every inquiry) is deployed before the credit registry, and the credit score after it
 *   with the published scorecard `DEFAULT_SCORECARD` (docs/credit-score.md); the governor may change it later.
 * - scfGraceSeconds (default 7 days), scfPenaltyRateBps (default 1800, per year): receivables' overdue terms.
 * - scfModuleLegalIdHash: the legal-id hash under which the receivable ledger is admitted as a Reporter member.
 * - tradeArbiterWindow (default 14 days): how long an arbiter has to split a disputed order's escrow.
 * - tradeModuleLegalIdHash: the legal-id hash under which the trade settlement is admitted as a Reporter member.
 */
export default buildModule("Tradeline", (m) => {
  const governor = m.getAccount(0);
  const memberRegistry = m.contract("MemberRegistry", [governor, m.getParameter<string>("keyCheck")]);

  const issuerAdmin = m.getParameter("issuerAdmin", m.getAccount(1));
  const issuerLegalIdHash = m.getParameter<string>("issuerLegalIdHash");
  const issuerJurisdiction = m.getParameter<string>("issuerJurisdiction");
  const issuerEntityKey = m.getParameter<string>("issuerEntityKey");
  const issuerAdmission = m.call(
    memberRegistry,
    "admit",
    [issuerLegalIdHash, issuerEntityKey, issuerJurisdiction, TOKEN_ISSUER_ROLES, issuerAdmin],
    { id: "AdmitIssuer" },
  );
  const issuerId = m.readEventArgument(issuerAdmission, "MemberAdmitted", "id", { id: "IssuerId" });

  const tokens = Object.fromEntries(
    CURRENCIES.map(({ code, name, decimals }) => [
      code,
      m.contract("SettlementToken", [name, `t${code}`, ascii(code), decimals, memberRegistry], {
        id: `Token${code}`,
      }),
    ]),
  );
  // Each token is a listed settlement token, and the Ignition issuer issues it.
  for (const { code } of CURRENCIES) {
    m.call(memberRegistry, "setSettlementToken", [tokens[code], true], { id: `List${code}` });
    m.call(tokens[code], "setIssuer", [issuerId, true], { id: `Token${code}Issuer` });
  }

  const consentBook = m.contract("ConsentBook", [memberRegistry]);

  const creditRegistry = m.contract("CreditRegistry", [
    memberRegistry,
    consentBook,
    m.getParameter("creditCurrency", ascii("CNY")),
    {
      maxLenders: m.getParameter("creditMaxLenders", 3),
      maxInquiries: m.getParameter("creditMaxInquiries", 5),
      inquiryWindow: m.getParameter("creditInquiryWindow", 30 * 24 * 3600),
      maxOutstanding: m.getParameter("creditMaxOutstanding", 0),
      maxPlatformShareBps: m.getParameter("creditMaxPlatformShareBps", 3000),
      mode: m.getParameter("creditPolicyMode", 0),
      maxAprBps: m.getParameter("creditMaxAprBps", 3600),
      graceDays: m.getParameter("creditGraceDays", 15),
    },
  ]);

  const creditScore = m.contract("CreditScore", [memberRegistry, creditRegistry, DEFAULT_SCORECARD]);

  const receivableLedger = m.contract("ReceivableLedger", [
    memberRegistry,
    creditRegistry,
    m.getParameter("scfGraceSeconds", 7 * 24 * 3600),
    m.getParameter("scfPenaltyRateBps", 1800),
  ]);
  // The ledger reports financed receivables and defaults to the credit registry as a Reporter member, and holds
  // repayments in escrow until each holder collects, as a system account of every token.
  const receivableLedgerAdmission = m.call(
    memberRegistry,
    "admit",
    [
      m.getParameter("scfModuleLegalIdHash", SCF_MODULE_LEGAL_ID_HASH),
      SCF_MODULE_ENTITY_KEY,
      issuerJurisdiction,
      REPORTER_ROLES,
      receivableLedger,
    ],
    { id: "AdmitReceivableLedger" },
  );
  for (const { code } of CURRENCIES) {
    m.call(tokens[code], "setSystemAccount", [receivableLedger, true], { id: `Token${code}SystemLedger` });
  }

  const tradeSettlement = m.contract("TradeSettlement", [
    memberRegistry,
    creditRegistry,
    m.getParameter("tradeArbiterWindow", 14 * 24 * 3600),
  ]);
  // Trade settlement reports pre-shipment finance as a Reporter member and holds escrow as a system account.
  m.call(
    memberRegistry,
    "admit",
    [
      m.getParameter("tradeModuleLegalIdHash", TRADE_MODULE_LEGAL_ID_HASH),
      TRADE_MODULE_ENTITY_KEY,
      issuerJurisdiction,
      REPORTER_ROLES,
      tradeSettlement,
    ],
    { id: "AdmitTradeSettlement", after: [receivableLedgerAdmission] },
  );
  for (const { code } of CURRENCIES) {
    m.call(tokens[code], "setSystemAccount", [tradeSettlement, true], { id: `Token${code}SystemTrade` });
  }
  // Only listed module contracts report to the credit registry (a bank given the Reporter role books nothing).
  m.call(creditRegistry, "setReporterModule", [receivableLedger, true], { id: "CreditListsLedger" });
  m.call(creditRegistry, "setReporterModule", [tradeSettlement, true], { id: "CreditListsTrade" });

  return {
    memberRegistry,
    consentBook,
    creditRegistry,
    creditScore,
    receivableLedger,
    tradeSettlement,
    tokenCNY: tokens.CNY,
    tokenUSD: tokens.USD,
    tokenMXN: tokens.MXN,
  };
});
