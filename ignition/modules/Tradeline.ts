import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

import { roleMask } from "../../src/members.js";

/** The settlement currencies of the network: ISO 4217 code, name and decimals (minor units). */
const CURRENCIES = [
  { code: "CNY", name: "Tradeline Digital CNY", decimals: 2 },
  { code: "USD", name: "Tradeline Digital USD", decimals: 2 },
  { code: "MXN", name: "Tradeline Digital MXN", decimals: 2 },
] as const;

const TOKEN_ISSUER_ROLES = roleMask(["TokenIssuer"]);

const ascii = (s: string): string => `0x${Buffer.from(s, "ascii").toString("hex")}`;

/**
 * Deploys the whole network and wires its roles. The deploying account is the first governor; hand the seat to the
 * consortium's multisig or TimelockController afterwards (docs/operations.md).
 *
 * Parameters (ignition/parameters/<network>.json, module "Tradeline"):
 * - issuerLegalIdHash, issuerJurisdiction, issuerAdmin: the settlement bank admitted as the tokens' issuer.
 * - creditCurrency: the credit registry's reporting currency as bytes3 hex (default "0x434e59", CNY).
 * - creditMaxLenders, creditMaxOutstanding (minor units), creditMaxInquiries, creditInquiryWindow (seconds),
 *   creditMaxPlatformShareBps, creditPolicyMode (0 flag, 1 enforce): the first multi-borrowing policy; 0 is no limit.
 */
export default buildModule("Tradeline", (m) => {
  const governor = m.getAccount(0);
  const memberRegistry = m.contract("MemberRegistry", [governor]);

  const issuerAdmin = m.getParameter("issuerAdmin", m.getAccount(1));
  const issuerLegalIdHash = m.getParameter<string>("issuerLegalIdHash");
  const issuerJurisdiction = m.getParameter<string>("issuerJurisdiction");
  m.call(memberRegistry, "admit", [issuerLegalIdHash, issuerJurisdiction, TOKEN_ISSUER_ROLES, issuerAdmin], {
    id: "AdmitIssuer",
  });

  const tokens = Object.fromEntries(
    CURRENCIES.map(({ code, name, decimals }) => [
      code,
      m.contract("SettlementToken", [name, `t${code}`, ascii(code), decimals, memberRegistry], {
        id: `Token${code}`,
      }),
    ]),
  );

  const creditRegistry = m.contract("CreditRegistry", [
    memberRegistry,
    m.getParameter("creditCurrency", ascii("CNY")),
    {
      maxLenders: m.getParameter("creditMaxLenders", 3),
      maxInquiries: m.getParameter("creditMaxInquiries", 5),
      inquiryWindow: m.getParameter("creditInquiryWindow", 30 * 24 * 3600),
      maxOutstanding: m.getParameter("creditMaxOutstanding", 0),
      maxPlatformShareBps: m.getParameter("creditMaxPlatformShareBps", 3000),
      mode: m.getParameter("creditPolicyMode", 0),
    },
  ]);

  return { memberRegistry, creditRegistry, tokenCNY: tokens.CNY, tokenUSD: tokens.USD, tokenMXN: tokens.MXN };
});
