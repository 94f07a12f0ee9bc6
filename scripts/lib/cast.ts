/** The demo's institutions: fictional names, made-up LEIs, real country codes. */
import type { RoleName } from "../../src/members.js";

export interface CastMember {
  key: string;
  name: string;
  legalId: string;
  jurisdiction: string;
  roles: RoleName[];
}

export const CAST: readonly CastMember[] = [
  {
    key: "regulator",
    name: "Consortium Supervisory Office",
    legalId: "TLREGULATOR000000001",
    jurisdiction: "CN",
    roles: ["Regulator", "Arbiter"],
  },
  {
    key: "huaxia",
    name: "Huaxia Commercial Bank",
    legalId: "TLHUAXIABANK00000002",
    jurisdiction: "CN",
    roles: ["Lender", "Financier", "TokenIssuer", "FxProvider"],
  },
  {
    key: "golfo",
    name: "Banco del Golfo",
    legalId: "TLBANCODELGOLFO00003",
    jurisdiction: "MX",
    roles: ["Lender", "ImporterBank", "Financier", "TokenIssuer"],
  },
  {
    key: "pacific",
    name: "Pacific Trust Bank",
    legalId: "TLPACIFICTRUST000004",
    jurisdiction: "US",
    roles: ["Lender", "Financier", "FxProvider", "TokenIssuer"],
  },
  {
    key: "quicklend",
    name: "QuickLend Online",
    legalId: "TLQUICKLEND000000005",
    jurisdiction: "CN",
    roles: ["Lender", "Platform"],
  },
  {
    key: "glassworks",
    name: "Shenzhen Glassworks Co.",
    legalId: "TLGLASSWORKS00000006",
    jurisdiction: "CN",
    roles: ["Supplier", "Exporter"],
  },
  {
    key: "cristal",
    name: "Casa Cristal Importadora",
    legalId: "TLCASACRISTAL0000007",
    jurisdiction: "MX",
    roles: ["Importer"],
  },
  {
    key: "carrier",
    name: "Transpacific Lines (carrier)",
    legalId: "TLTRANSPACIFIC000008",
    jurisdiction: "SG",
    roles: ["Oracle"],
  },
  {
    key: "pearl",
    name: "Pearl River Appliances (core enterprise)",
    legalId: "TLPEARLRIVERAPPL0009",
    jurisdiction: "CN",
    roles: ["CoreEnterprise"],
  },
  {
    key: "precision",
    name: "Dongguan Precision Parts (tier 2)",
    legalId: "TLDGPRECISION0000010",
    jurisdiction: "CN",
    roles: ["Supplier"],
  },
  {
    key: "silica",
    name: "Foshan Silica Works (tier 3)",
    legalId: "TLFOSHANSILICA000011",
    jurisdiction: "CN",
    roles: ["Supplier"],
  },
  {
    key: "customs",
    name: "Aduana de Manzanillo (customs)",
    legalId: "TLADUANAMANZANILLO12",
    jurisdiction: "MX",
    roles: ["Oracle"],
  },
];
