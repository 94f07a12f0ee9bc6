import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import type { NetworkConnection } from "hardhat/types/network";

import {
  EVIDENCE_KINDS,
  scaledRate,
  signAssignment,
  signAttestation,
  signFxQuote,
  tradeDomain,
  type FxQuote,
} from "../../src/trade.js";
import { deployWorld } from "../../scripts/lib/world.js";

export const DAY = 86_400n;
/** The evidence kinds as the settlement numbers them (`EVIDENCE_KINDS`). */
export const Kind = { Shipped: 0, CustomsCleared: 1, Delivered: 2, Inspected: 3 } as const;

/**
 * The trade settlement's test world: the consortium's world with the money an order needs, and the signatures the
 * tests give.
 *
 * - `funds` MXN are minted to Golfo (the importer's bank) and `funds` CNY to the FX provider (Huaxia unless
 *   `fxProvider` names another member) and to each of `otherProviders`, each approved to the settlement.
 * - `terms`: 400,000.00 MXN from Casa Cristal to Shenzhen Glassworks (exporter's bank Huaxia), paid out in CNY, fees
 *   0.10% and 0.15%, 30/40/30 on shipped, customs cleared and delivered; shipment within 14 days, a 3-day objection
 *   window, expiry in 60 days. Not yet created: tests spread it with their changes.
 * - `attestation(order, kind, doc, oracle = carrier)`: an oracle's signed evidence.
 * - `fxQuote(nonce, change, signer = provider)`: the provider's MXN->CNY quote at 0.38 for order 1's whole amount,
 *   valid for ten minutes, paying the exporter; `change` overrides any field.
 * - `openOrder(change)`: Casa Cristal creates `terms` with `change`, and the exporter accepts it; returns the terms.
 * - `signedAssignment(signer, financier, advance, order = 1)`: `signer`'s signature assigning the order's proceeds to
 *   `financier` for `advance`, valid for ten minutes, with its deadline and its nonce (a new one each call).
 */
export async function tradeWorld(
  connection: NetworkConnection,
  options: { funds?: bigint; fxProvider?: string; otherProviders?: string[]; document?: string } = {},
) {
  const { ethers, networkHelpers } = connection;
  const funds = options.funds ?? 100_000_000n;
  const world = await deployWorld(connection);
  const { tokens, trade } = world.contracts;
  const a = world.admins;
  const provider: HardhatEthersSigner = a[options.fxProvider ?? "huaxia"];
  const settlement = await trade.getAddress();
  await tokens.MXN.connect(world.issuer).mint(a.golfo, funds);
  await tokens.CNY.connect(world.issuer).mint(provider, funds);
  await tokens.MXN.connect(a.golfo).approve(settlement, funds);
  await tokens.CNY.connect(provider).approve(settlement, funds);
  for (const other of options.otherProviders ?? []) {
    await tokens.CNY.connect(world.issuer).mint(a[other], funds);
    await tokens.CNY.connect(a[other]).approve(settlement, funds);
  }
  const now = BigInt(await networkHelpers.time.latest());
  const terms = {
    exporter: world.ids.glassworks,
    importerBank: world.ids.golfo,
    exporterBank: world.ids.huaxia,
    documentHash: ethers.id(options.document ?? "PO-2026-0042"),
    payToken: await tokens.MXN.getAddress(),
    payoutToken: await tokens.CNY.getAddress(),
    amount: 40_000_000n,
    importerBankFeeBps: 10,
    exporterBankFeeBps: 15,
    shipmentDeadline: now + 14n * DAY,
    objectionWindow: Number(3n * DAY),
    expiry: now + 60n * DAY,
    tranches: [
      { shareBps: 3_000, evidence: 1 << Kind.Shipped },
      { shareBps: 4_000, evidence: 1 << Kind.CustomsCleared },
      { shareBps: 3_000, evidence: 1 << Kind.Delivered },
    ],
  };
  const domain = tradeDomain(31337n, settlement);
  const attestation = (order: bigint, kind: number, doc: string, oracle: HardhatEthersSigner = a.carrier) =>
    signAttestation(oracle, domain, order, EVIDENCE_KINDS[kind], doc);
  const fxQuote = async (nonce: bigint, change: Partial<FxQuote> = {}, signer: HardhatEthersSigner = provider) => {
    const q: FxQuote = {
      order: 1n,
      beneficiary: world.ids.glassworks,
      sellToken: terms.payToken,
      buyToken: terms.payoutToken,
      rate: scaledRate("0.38"), // CNY minor units per MXN minor unit, scaled 1e18
      maxSellAmount: terms.amount,
      expiry: BigInt(await networkHelpers.time.latest()) + 600n,
      nonce,
      ...change,
    };
    return { q, sig: await signFxQuote(signer, domain, q) };
  };
  let assignmentNonces = 0n;
  const signedAssignment = async (signer: HardhatEthersSigner, financier: bigint, advance: bigint, order = 1n) => {
    const deadline = BigInt(await networkHelpers.time.latest()) + 600n;
    const nonce = ++assignmentNonces;
    const assignment = { order, exporter: world.ids.glassworks, financier, advance, deadline, nonce };
    return { deadline, nonce, signed: await signAssignment(signer, domain, assignment) };
  };
  const openOrder = async (change: Partial<typeof terms> = {}) => {
    const made = { ...terms, ...change };
    const id = await trade.connect(a.cristal).createOrder.staticCall(made);
    await trade.connect(a.cristal).createOrder(made);
    await trade.connect(a.glassworks).accept(id);
    return made;
  };
  return { world, trade, tokens, a, settlement, now, terms, domain, attestation, fxQuote, signedAssignment, openOrder };
}
