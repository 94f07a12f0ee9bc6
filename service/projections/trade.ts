/**
 * The trade settlement's read model, from its events alone: orders (parties, terms, state, evidence, the tranches
 * settled, deadlines on the settlement's active clock), their tranches, the oracles' attestations, every payment
 * and refund, whether a financier's advance is left open, and the settings new orders take (arbiter window, evidence
 * thresholds).
 */
import { EVIDENCE_KINDS } from "../../src/trade.js";
import type { Db, Decoded, Projection } from "../projections.js";
import { pausedSeconds } from "./scf.js";

const text = (v: unknown) => String(v);
const DELIVERED = EVIDENCE_KINDS.indexOf("Delivered");
/** Tranche numbers above the 8 an order may have: 254 is an arbiter's award (TranchePaid), 255 a refund. */
const AWARD = 254;
const REFUND = 255;

interface TrancheArg {
  shareBps: unknown;
  evidence: unknown;
}

export const trade: Projection = {
  tables: ["trade_orders", "trade_tranches", "trade_evidence", "trade_payments", "trade_settings"],
  async apply(trx: Db, e: Decoded) {
    if (e.contract !== "TradeSettlement") return;
    const a = e.args;
    const chain = e.chainId;
    const id = a.id === undefined ? undefined : text(a.id);
    const order = () => trx.updateTable("trade_orders").where("chain_id", "=", chain).where("id", "=", id!);
    const get = () =>
      trx
        .selectFrom("trade_orders")
        .selectAll()
        .where("chain_id", "=", chain)
        .where("id", "=", id!)
        .executeTakeFirstOrThrow();
    const active = async () => e.timestamp - (await pausedSeconds(trx, chain, e.contract, e.timestamp));
    const settings = async () =>
      (await trx.selectFrom("trade_settings").selectAll().where("chain_id", "=", chain).executeTakeFirst()) ?? {
        chain_id: chain,
        arbiter_window: 0,
        threshold_word: 0,
      };
    const putSettings = async (set: { arbiter_window?: number; threshold_word?: number }) => {
      const row = { ...(await settings()), ...set };
      const values = { arbiter_window: Number(row.arbiter_window), threshold_word: Number(row.threshold_word) };
      await trx
        .insertInto("trade_settings")
        .values({ chain_id: chain, ...values })
        .onConflict((c) => c.column("chain_id").doUpdateSet(values))
        .execute();
    };
    /** Settles the tranches still at stake (unpaid and whose evidence is not complete), as the contract does. */
    const settleStake = async () => {
      const o = await get();
      const tranches = await trx
        .selectFrom("trade_tranches")
        .selectAll()
        .where("chain_id", "=", chain)
        .where("order_id", "=", id!)
        .execute();
      let settled = Number(o.settled_tranches);
      const done = Number(o.evidence_done);
      for (const t of tranches) {
        const bit = 1 << Number(t.tranche);
        const needs = Number(t.evidence);
        if ((settled & bit) === 0 && (needs & done) !== needs) settled |= bit;
      }
      await setSettled(settled);
    };
    const setSettled = async (mask: number) => {
      await order().set({ settled_tranches: mask }).execute();
      const tranches = await trx
        .selectFrom("trade_tranches")
        .select("tranche")
        .where("chain_id", "=", chain)
        .where("order_id", "=", id!)
        .execute();
      for (const t of tranches) {
        await trx
          .updateTable("trade_tranches")
          .set({ settled: (mask >> Number(t.tranche)) & 1 })
          .where("chain_id", "=", chain)
          .where("order_id", "=", id!)
          .where("tranche", "=", Number(t.tranche))
          .execute();
      }
    };
    const payment = {
      chain_id: chain,
      block_number: e.blockNumber,
      log_index: e.logIndex,
      tx_hash: e.txHash,
      at: e.timestamp,
    };
    switch (e.name) {
      case "ArbiterWindowSet":
        return putSettings({ arbiter_window: Number(a.arbiterWindow) });
      case "ThresholdSet": {
        const shift = 4 * Number(a.kind);
        const word = Number((await settings()).threshold_word);
        return putSettings({ threshold_word: (word & ~(0xf << shift)) | ((Number(a.oracles) - 1) << shift) });
      }
      case "OrderCreated": {
        const paused = await pausedSeconds(trx, chain, e.contract, e.timestamp);
        const tranches = a.tranches as TrancheArg[];
        await trx
          .insertInto("trade_orders")
          .values({
            chain_id: chain,
            id: id!,
            importer: Number(a.importer),
            exporter: Number(a.exporter),
            importer_bank: 0,
            exporter_bank: 0,
            state: "Created",
            evidence_done: 0,
            settled_tranches: 0,
            tranche_count: tranches.length,
            importer_bank_fee_bps: 0,
            exporter_bank_fee_bps: 0,
            document_hash: text(a.documentHash),
            pay_token: text(a.payToken),
            payout_token: text(a.payoutToken),
            amount: text(a.amount),
            shipment_deadline_active: Number(a.shipmentDeadline) - paused,
            expiry_active: Number(a.expiry) - paused,
            objection_window: Number(a.objectionWindow),
            delivered_at_active: 0,
            dispute_deadline_active: 0,
            financier: 0,
            fx_provider: 0,
            fx_min_rate: "0",
            threshold_word: Number((await settings()).threshold_word),
            created_block: e.blockNumber,
            created_at: e.timestamp,
            advance_open: 0,
            held_award: "0",
          })
          .execute();
        for (const [i, t] of tranches.entries()) {
          await trx
            .insertInto("trade_tranches")
            .values({
              chain_id: chain,
              order_id: id!,
              tranche: i,
              share_bps: Number(t.shareBps),
              evidence: Number(t.evidence),
              settled: 0,
            })
            .execute();
        }
        return;
      }
      case "OrderBanksNamed":
        await order()
          .set({
            importer_bank: Number(a.importerBank),
            exporter_bank: Number(a.exporterBank),
            importer_bank_fee_bps: Number(a.importerBankFeeBps),
            exporter_bank_fee_bps: Number(a.exporterBankFeeBps),
          })
          .execute();
        return;
      case "OrderAccepted":
        await order().set({ state: "Accepted" }).execute();
        return;
      case "OrderFunded":
        await order().set({ state: "Funded" }).execute();
        return;
      case "EvidenceAttested":
        await trx
          .insertInto("trade_evidence")
          .values({
            ...payment,
            order_id: id!,
            kind: EVIDENCE_KINDS[Number(a.kind)],
            oracle: text(a.oracle),
            document_hash: text(a.documentHash),
          })
          .execute();
        return;
      case "EvidenceCompleted": {
        const o = await get();
        const kind = Number(a.kind);
        const set: { evidence_done: number; delivered_at_active?: number } = {
          evidence_done: Number(o.evidence_done) | (1 << kind),
        };
        if (kind === DELIVERED) set.delivered_at_active = await active();
        await order().set(set).execute();
        return;
      }
      case "TranchePaid": {
        const tranche = Number(a.tranche);
        await trx
          .insertInto("trade_payments")
          .values({
            ...payment,
            order_id: id!,
            tranche,
            account: text(a.beneficiary),
            uetr: text(a.uetr),
            end_to_end_id: text(a.endToEndId),
            gross: text(a.gross),
            importer_bank_fee: text(a.importerBankFee),
            exporter_bank_fee: text(a.exporterBankFee),
            payout: text(a.payout),
            rate: text(a.rate),
            fx_provider: text(a.fxProvider),
            quote_nonce: text(a.quoteNonce),
          })
          .execute();
        // An arbiter's award settled the tranches at stake already (DisputeResolved); one held for a quote is paid.
        if (tranche !== AWARD) await setSettled(Number((await get()).settled_tranches) | (1 << tranche));
        else await order().set({ held_award: "0" }).execute();
        return;
      }
      case "Refunded":
        await trx
          .insertInto("trade_payments")
          .values({
            ...payment,
            order_id: id!,
            tranche: REFUND,
            account: text(a.to),
            uetr: text(a.uetr),
            end_to_end_id: text(a.endToEndId),
            gross: text(a.amount),
            importer_bank_fee: "0",
            exporter_bank_fee: "0",
            payout: text(a.amount),
            rate: "0",
            fx_provider: "0x" + "0".repeat(40),
            quote_nonce: "0",
          })
          .execute();
        // What returns to the importer's side never reaches the financier the proceeds are assigned to.
        if (Number((await get()).financier) !== 0) await order().set({ advance_open: 1 }).execute();
        // Every refund returns the tranches still at stake (a dispute's are settled by its own event already).
        return settleStake();
      case "OrderDisputed": {
        const window = Number((await settings()).arbiter_window);
        await order()
          .set({ state: "Disputed", dispute_deadline_active: (await active()) + window })
          .execute();
        return;
      }
      case "DisputeResolved":
      case "DisputeExpired":
        await settleStake();
        await order().set({ state: "Funded" }).execute();
        return;
      case "AwardHeld":
        await order()
          .set({ held_award: text(a.amount) })
          .execute();
        return;
      case "ProceedsAssigned":
        await order()
          .set({ financier: Number(a.financier), fx_provider: 0, fx_min_rate: "0" })
          .execute();
        return;
      case "FxTermsSet":
        await order()
          .set({ fx_provider: Number(a.provider), fx_min_rate: text(a.minRate) })
          .execute();
        return;
      case "OrderSettled": {
        const o = await get();
        await order().set({ state: "Settled" }).execute();
        await setSettled((1 << Number(o.tranche_count)) - 1);
        return;
      }
      case "OrderLapsed":
        await order().set({ state: "Lapsed" }).execute();
        return;
      case "AdvanceLeftOpen":
        await order().set({ advance_open: 1 }).execute();
        return;
      case "AdvanceClosed":
        await order().set({ advance_open: 0 }).execute();
        return;
    }
  },
};
