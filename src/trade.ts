/**
 * Trade settlement from TypeScript: order builders, attestation and FX-quote signers, UETR formatting and the
 * pacs.008-like record of a settled payment. (Work in progress for issue 5: tasks and demo still to come.)
 */
import { type Signer, type TypedDataDomain } from "ethers";

export const ORDER_STATES = ["None", "Created", "Accepted", "Funded", "Disputed", "Settled", "Lapsed"] as const;
export const EVIDENCE_KINDS = ["Shipped", "CustomsCleared", "Delivered", "Inspected"] as const;
export type EvidenceKindName = (typeof EVIDENCE_KINDS)[number];

/** 1e18: an FX rate is buy-token minor units per sell-token minor unit, times this. */
export const RATE_SCALE = 10n ** 18n;

export const ATTESTATION_TYPES = {
  Attestation: [
    { name: "order", type: "uint64" },
    { name: "kind", type: "uint8" },
    { name: "documentHash", type: "bytes32" },
  ],
};

export const FX_QUOTE_TYPES = {
  FxQuote: [
    { name: "sellToken", type: "address" },
    { name: "buyToken", type: "address" },
    { name: "rate", type: "uint256" },
    { name: "maxSellAmount", type: "uint96" },
    { name: "expiry", type: "uint40" },
    { name: "nonce", type: "uint256" },
  ],
};

export interface FxQuote {
  sellToken: string;
  buyToken: string;
  rate: bigint;
  maxSellAmount: bigint;
  expiry: bigint;
  nonce: bigint;
}

/** The "no quote" placeholder for payments that need no conversion. */
export const NO_FX_QUOTE: FxQuote = {
  sellToken: "0x0000000000000000000000000000000000000000",
  buyToken: "0x0000000000000000000000000000000000000000",
  rate: 0n,
  maxSellAmount: 0n,
  expiry: 0n,
  nonce: 0n,
};

/** The EIP-712 domain of a TradeSettlement contract. */
export function tradeDomain(chainId: bigint, verifyingContract: string): TypedDataDomain {
  return { name: "Tradeline TradeSettlement", version: "1", chainId, verifyingContract };
}

/** A bitmask of evidence kinds, e.g. `evidenceMask(["Shipped", "Delivered"])` → 5. */
export function evidenceMask(kinds: readonly string[]): number {
  return kinds.reduce((mask, k) => {
    const i = EVIDENCE_KINDS.findIndex((n) => n.toLowerCase() === k.trim().toLowerCase());
    if (i < 0) throw new Error(`unknown evidence kind "${k}": expected one of ${EVIDENCE_KINDS.join(", ")}`);
    return mask | (1 << i);
  }, 0);
}

/** Tranches from `"30:Shipped,40:CustomsCleared,30:Delivered"` (percent with up to 2 decimals : kinds joined by +). */
export function parseTranches(text: string): { shareBps: number; evidence: number }[] {
  const tranches = text.split(",").map((part) => {
    const m = /^\s*(\d+(?:\.\d{1,2})?)\s*:\s*([A-Za-z+]+)\s*$/.exec(part);
    if (m === null) throw new Error(`tranche "${part}" is not share:Kind[+Kind], e.g. 30:Shipped`);
    return { shareBps: Math.round(Number(m[1]) * 100), evidence: evidenceMask(m[2].split("+")) };
  });
  const total = tranches.reduce((s, t) => s + t.shareBps, 0);
  if (tranches.length === 0 || tranches.length > 8 || total !== 10_000) {
    throw new Error(
      `tranches must be 1 to 8 shares summing to 100%, got ${tranches.length} summing to ${total / 100}%`,
    );
  }
  return tranches;
}

/** An oracle signs evidence of `kind` for order `order` over the document `documentHash`. */
export async function signAttestation(
  oracle: Signer,
  domain: TypedDataDomain,
  order: bigint,
  kind: EvidenceKindName,
  documentHash: string,
): Promise<string> {
  return oracle.signTypedData(domain, ATTESTATION_TYPES, {
    order,
    kind: EVIDENCE_KINDS.indexOf(kind),
    documentHash,
  });
}

/** An FX provider signs a quote. */
export async function signFxQuote(provider: Signer, domain: TypedDataDomain, quote: FxQuote): Promise<string> {
  return provider.signTypedData(domain, FX_QUOTE_TYPES, quote);
}

/** A decimal rate ("0.3800") of buy units per sell unit as the contract's scaled rate, for tokens of equal decimals. */
export function scaledRate(rate: string): bigint {
  const m = /^(\d+)(?:\.(\d{1,18}))?$/.exec(rate.trim());
  if (m === null) throw new Error(`rate "${rate}" is not a decimal number`);
  return BigInt(m[1]) * RATE_SCALE + BigInt((m[2] ?? "").padEnd(18, "0"));
}

/** The canonical text form of a UETR (UUID v4), e.g. `3f2c…-…`. */
export function formatUetr(uetr: string): string {
  const h = uetr.replace(/^0x/, "").toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(h)) throw new Error(`UETR ${uetr} is not 16 bytes`);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The end-to-end id the contract emits (order << 8 | tranche) as text, e.g. `TL-ORD-42-T1`. */
export function formatEndToEndId(e2e: bigint | string): string {
  const v = BigInt(e2e);
  const tranche = Number(v & 0xffn);
  const order = v >> 8n;
  const suffix = tranche === 255 ? "REFUND" : tranche === 254 ? "AWARD" : `T${tranche + 1}`;
  return `TL-ORD-${order}-${suffix}`;
}

/** A settled tranche, as the `TranchePaid` event gives it. */
export interface TranchePayment {
  order: bigint;
  tranche: number;
  uetr: string;
  endToEndId: bigint;
  gross: bigint;
  importerBankFee: bigint;
  exporterBankFee: bigint;
  payout: bigint;
  rate: bigint;
}

/**
 * A pacs.008-like record of one settled payment (FI to FI customer credit transfer): group header, payment ids with
 * the UETR, interbank settlement amount and currency, charge bearer, the agents as member ids, and the exchange rate.
 * Amounts are decimal strings in major units.
 */
export function pacs008(
  payment: TranchePayment,
  ctx: {
    messageId: string;
    createdAt: Date;
    settlementCurrency: string;
    instructedCurrency: string;
    decimals: number;
    debtorAgent: bigint;
    creditorAgent: bigint;
    debtor: bigint;
    creditor: bigint;
  },
): Record<string, unknown> {
  const major = (v: bigint) => {
    const d = ctx.decimals;
    const s = v.toString().padStart(d + 1, "0");
    return d === 0 ? s : `${s.slice(0, -d)}.${s.slice(-d)}`;
  };
  const rateText = (() => {
    const whole = payment.rate / RATE_SCALE;
    const frac = (payment.rate % RATE_SCALE).toString().padStart(18, "0").replace(/0+$/, "");
    return frac === "" ? whole.toString() : `${whole}.${frac}`;
  })();
  const net = payment.gross - payment.importerBankFee - payment.exporterBankFee;
  return {
    GrpHdr: {
      MsgId: ctx.messageId,
      CreDtTm: ctx.createdAt.toISOString(),
      NbOfTxs: "1",
      SttlmInf: { SttlmMtd: "CLRG", ClrSys: { Prtry: "TRADELINE" } },
    },
    CdtTrfTxInf: {
      PmtId: {
        InstrId: formatEndToEndId(payment.endToEndId),
        EndToEndId: formatEndToEndId(payment.endToEndId),
        UETR: formatUetr(payment.uetr),
      },
      IntrBkSttlmAmt: { Ccy: ctx.settlementCurrency, value: major(payment.payout) },
      InstdAmt: { Ccy: ctx.instructedCurrency, value: major(payment.gross) },
      XchgRate: rateText,
      ChrgBr: "SHAR",
      ChrgsInf: [
        {
          Amt: { Ccy: ctx.instructedCurrency, value: major(payment.importerBankFee) },
          Agt: { MmbId: String(ctx.debtorAgent) },
        },
        {
          Amt: { Ccy: ctx.instructedCurrency, value: major(payment.exporterBankFee) },
          Agt: { MmbId: String(ctx.creditorAgent) },
        },
      ],
      Dbtr: { MmbId: String(ctx.debtor) },
      DbtrAgt: { FinInstnId: { ClrSysMmbId: { MmbId: String(ctx.debtorAgent) } } },
      CdtrAgt: { FinInstnId: { ClrSysMmbId: { MmbId: String(ctx.creditorAgent) } } },
      Cdtr: { MmbId: String(ctx.creditor) },
      RmtInf: { Strd: { RfrdDocInf: { Nb: `order ${payment.order}, tranche ${payment.tranche + 1}` } } },
      NetInstdAmt: major(net),
    },
  };
}
