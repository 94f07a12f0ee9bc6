/** Trade orders as the service answers them, shared by the console's trade tests. */
import type { Me } from "../session";

export const exporter: Me = {
  name: "Glassworks export desk",
  roles: ["exporter"],
  member: { id: 3, status: "Active", jurisdiction: "CN" },
};

/** The glassware order's line in GET /v1/trade/orders: 400,000.00 MXN paid out in CNY, tranche 1 paid. */
export const summary = {
  id: "7",
  state: "Funded",
  importer: 5,
  exporter: 3,
  importerBank: 6,
  exporterBank: 4,
  amount: "40000000",
  payToken: "0x0000000000000000000000000000000000000002",
  payoutToken: "0x0000000000000000000000000000000000000001",
  currency: "MXN",
  payoutCurrency: "CNY",
  documentHash: `0x${"ab".repeat(32)}`,
  tranches: 3,
  settledTranches: 1,
  createdAt: 1_790_000_000,
};

/** The UETR of tranche 1's payment. */
export const UETR = "0x3f2c9a1b7d4e4f8a9b0c1d2e3f405162";
/** GET /v1/trade/orders/7, tranche 1 paid: 120,000.00 MXN gross, fees 10 + 15 bps, 0.38 CNY per MXN. */
export const order = {
  ...summary,
  fees: { importerBankBps: 10, exporterBankBps: 15 },
  deadlines: {
    shipment: 1_791_000_000,
    expiry: 1_795_000_000,
    objectionWindowSeconds: 259_200,
    deliveredAt: null,
    disputeDeadline: null,
  },
  financier: null,
  advanceOpen: false,
  heldAward: null,
  fx: { provider: 4, minRate: "370000000000000000" },
  evidence: [
    { kind: "Shipped", signatures: 1, needed: 1, complete: true },
    { kind: "CustomsCleared", signatures: 1, needed: 2, complete: false },
    { kind: "Delivered", signatures: 0, needed: 1, complete: false },
    { kind: "Inspected", signatures: 0, needed: 1, complete: false },
  ],
  trancheDetails: [
    { tranche: 1, shareBps: 3000, evidence: ["Shipped"], awaiting: [], settled: true },
    { tranche: 2, shareBps: 4000, evidence: ["CustomsCleared"], awaiting: ["CustomsCleared"], settled: false },
    { tranche: 3, shareBps: 3000, evidence: ["Delivered"], awaiting: ["Delivered"], settled: false },
  ],
  attestations: [],
  payments: [
    {
      tranche: "1",
      at: 1_790_100_000,
      txHash: `0x${"cd".repeat(32)}`,
      account: "0x0000000000000000000000000000000000000003",
      uetr: UETR,
      endToEndId: "1793",
      gross: "12000000",
      importerBankFee: "12000",
      exporterBankFee: "18000",
      payout: "4548600",
      rate: "380000000000000000",
      fxProvider: "0x0000000000000000000000000000000000000004",
      quoteNonce: "1",
    },
  ],
};
