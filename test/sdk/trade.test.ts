import { expect } from "chai";
import { AbiCoder, id } from "ethers";

import { documentCommitment } from "../../src/commitments.js";
import { decodeRevertData } from "../../src/errors.js";
import {
  RATE_SCALE,
  awaitedEvidence,
  buildOrder,
  evidenceMask,
  evidenceNames,
  formatEndToEndId,
  formatUetr,
  newFxQuote,
  orderStateSet,
  orderStatesIn,
  pacs008,
  parseTranches,
  majorRateText,
  scaledRate,
  type OrderView,
} from "../../src/trade.js";

const TOKEN = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
const NOW = 1_800_000_000n;
const SALT = `0x${"5a".repeat(32)}`;

function order(change: Partial<Parameters<typeof buildOrder>[0]> = {}) {
  return buildOrder({
    exporter: 9n,
    importerBank: 6n,
    exporterBank: 5n,
    document: "PO-1",
    documentSalt: SALT,
    payToken: TOKEN,
    amount: 40_000_000n,
    shipmentDeadline: NOW + 86_400n,
    objectionWindow: 3 * 86_400,
    expiry: NOW + 10n * 86_400n,
    tranches: "30:Shipped,40:CustomsCleared,30:Delivered",
    now: NOW,
    ...change,
  });
}

describe("SDK trade helpers", function () {
  it("test_parseTranches_readsSharesAndEvidenceOrSaysWhatIsWrong", function () {
    expect(parseTranches("30:Shipped,40:customscleared,30:Delivered+Inspected")).to.deep.equal([
      { shareBps: 3_000, evidence: 1 },
      { shareBps: 4_000, evidence: 2 },
      { shareBps: 3_000, evidence: 12 },
    ]);
    expect(parseTranches("33.33:Shipped,66.67:Delivered").map((t) => t.shareBps)).to.deep.equal([3_333, 6_667]);
    expect(() => parseTranches("30:Shipped,60:Delivered")).to.throw(
      "tranches must be 1 to 8 shares summing to 100%, got 2 summing to 90%",
    );
    expect(() => parseTranches("30 Shipped")).to.throw(
      'tranche "30 Shipped" is not share:Kind[+Kind], e.g. 30:Shipped',
    );
    expect(() => parseTranches(Array.from({ length: 9 }, () => "11.11:Shipped").join(","))).to.throw(/got 9 summing/);
    expect(evidenceMask(["Delivered", "Shipped"])).to.equal(5);
    expect(evidenceNames(5)).to.deep.equal(["Shipped", "Delivered"]);
    expect(() => evidenceMask(["Boarded"])).to.throw(/unknown evidence kind "Boarded"/);
  });

  it("test_buildOrder_checksTheContractsRulesBeforeSending", function () {
    const terms = order();
    expect(terms.documentHash).to.equal(documentCommitment("PO-1", SALT));
    expect(terms.documentHash).to.not.equal(id("PO-1"));
    expect(terms.payoutToken).to.equal(TOKEN);
    expect([terms.importerBankFeeBps, terms.exporterBankFeeBps]).to.deep.equal([0, 0]);
    expect(() => order({ amount: 0n })).to.throw("the amount must be positive, got 0");
    expect(() => order({ exporterBankFeeBps: 1_001 })).to.throw(
      "the exporter bank fee must be 0 to 1000 bps, got 1001",
    );
    expect(() => order({ shipmentDeadline: NOW })).to.throw(/^the shipment deadline 2027-01-15T08:00:00Z is not in/);
    expect(() => order({ expiry: NOW + 86_400n })).to.throw(/^the expiry .* must come after the shipment deadline/);
    expect(() => order({ objectionWindow: 1.5 })).to.throw("the objection window must be whole seconds, got 1.5");
    expect(() => order({ document: " " })).to.throw("the document to commit to is empty");
    expect(() => order({ documentSalt: "0x12" })).to.throw(
      'the document salt must be 32 bytes of hex (0x + 64 hex digits), got "0x12"',
    );
  });

  it("test_scaledRate_keepsEighteenDecimalsExactly", function () {
    expect(scaledRate("0.38")).to.equal(380_000_000_000_000_000n);
    expect(scaledRate("19.5")).to.equal(19n * RATE_SCALE + RATE_SCALE / 2n);
    expect(scaledRate("0.000000000000000001")).to.equal(1n);
    expect(() => scaledRate("0.0000000000000000001")).to.throw(
      'rate "0.0000000000000000001" has more decimals than the contract holds (18)',
    );
    expect(scaledRate("0.00000000000000000100")).to.equal(1n);
    expect(() => scaledRate("-1")).to.throw(/is not a decimal number/);
    // The largest rate a uint96 holds, to the last digit, and one unit (1e-18) above it.
    expect(scaledRate("79228162514.264337593543950335")).to.equal(2n ** 96n - 1n);
    expect(() => scaledRate("79228162514.264337593543950336")).to.throw(
      'rate "79228162514.264337593543950336" is more than the largest rate a quote holds, ' +
        "79228162514.264337593543950335",
    );
    // Adversarial review 11, R11-3: a rate is in major units; the tokens' decimals make it the contract's base units.
    // 0.0067 USD per JPY (JPY has no minor unit) is 0.67 cents per yen; 150 JPY per USD is 1.5 yen per cent.
    expect(scaledRate("0.0067", 0, 2)).to.equal(670_000_000_000_000_000n);
    expect(scaledRate("150", 2, 0)).to.equal(1_500_000_000_000_000_000n);
    expect(scaledRate("0.38", 2, 2)).to.equal(scaledRate("0.38"));
    expect(majorRateText(scaledRate("0.0067", 0, 2), 0, 2)).to.equal("0.0067");
    expect(majorRateText(scaledRate("150", 2, 0), 2, 0)).to.equal("150");
    // KWD has three decimals: a JPY-per-KWD rate holds 15 of its own.
    expect(() => scaledRate("480.1234567890123456", 3, 0)).to.throw(/has more decimals than the contract holds \(15\)/);
    const q = newFxQuote({
      order: 1n,
      beneficiary: 2n,
      sellToken: TOKEN,
      buyToken: TOKEN,
      rate: 1n,
      maxSellAmount: 1n,
      expiry: 0n,
    });
    expect(q.nonce).to.be.greaterThan(0n);
    expect(() =>
      newFxQuote({
        order: 1n,
        beneficiary: 2n,
        sellToken: TOKEN,
        buyToken: TOKEN,
        rate: 0n,
        maxSellAmount: 1n,
        expiry: 0n,
      }),
    ).to.throw("the rate must be positive");
  });

  it("test_awaitedEvidence_listsWhatEachUnsettledTrancheWaitsFor", function () {
    const view = {
      evidenceDone: 1n,
      settledTranches: 1n,
      tranches: [
        { shareBps: 3_000n, evidence: 1n },
        { shareBps: 4_000n, evidence: 3n },
        { shareBps: 3_000n, evidence: 12n },
      ],
    } as unknown as OrderView;
    expect(awaitedEvidence(view)).to.deep.equal([
      { tranche: 1, awaits: ["CustomsCleared"] },
      { tranche: 2, awaits: ["Delivered", "Inspected"] },
    ]);
  });

  it("test_pacs008_rendersASettledPaymentWithItsReferences", function () {
    const uetr = "0x047e227b8f8c48e99db54b853aaa84d1";
    const record = pacs008(
      {
        order: 1n,
        tranche: 2,
        uetr,
        endToEndId: (1n << 8n) | 2n,
        gross: 12_000_000n,
        importerBankFee: 12_000n,
        exporterBankFee: 18_000n,
        payout: 4_548_600n,
        rate: scaledRate("0.38"),
      },
      {
        messageId: "TL-31337-66-2",
        createdAt: new Date(Date.UTC(2027, 1, 20)),
        settlementCurrency: "CNY",
        instructedCurrency: "MXN",
        settlementDecimals: 2,
        instructedDecimals: 2,
        debtorAgent: 6n,
        creditorAgent: 5n,
        debtor: 10n,
        creditor: 9n,
      },
    ) as { GrpHdr: Record<string, unknown>; CdtTrfTxInf: Record<string, unknown> };
    expect(record.GrpHdr.MsgId).to.equal("TL-31337-66-2");
    expect(record.GrpHdr.CreDtTm).to.equal("2027-02-20T00:00:00.000Z");
    const tx = record.CdtTrfTxInf;
    expect(tx.PmtId).to.deep.equal({
      InstrId: "TL-ORD-1-T3",
      EndToEndId: "TL-ORD-1-T3",
      UETR: "047e227b-8f8c-48e9-9db5-4b853aaa84d1",
    });
    expect(tx.IntrBkSttlmAmt).to.deep.equal({ Ccy: "CNY", value: "45486.00" });
    expect(tx.InstdAmt).to.deep.equal({ Ccy: "MXN", value: "120000.00" });
    expect(tx.XchgRate).to.equal("0.38");
    expect(tx.ChrgBr).to.equal("SHAR");
    expect(tx.DbtrAgt).to.deep.equal({ FinInstnId: { ClrSysMmbId: { MmbId: "6" } } });
    expect(tx.CdtrAgt).to.deep.equal({ FinInstnId: { ClrSysMmbId: { MmbId: "5" } } });
    expect(tx.NetInstdAmt).to.equal("119700.00");
    expect(formatEndToEndId(255n | (7n << 8n))).to.equal("TL-ORD-7-REFUND");
    expect(formatEndToEndId(254n | (7n << 8n))).to.equal("TL-ORD-7-AWARD");
    expect(() => formatUetr("0x1234")).to.throw("UETR 0x1234 is not 16 bytes");
  });

  it("review 11, R11-1: a pacs.008 states each amount in its own currency's minor units", function () {
    // JPY 1,000,000 paid in (no minor unit), 0.67 cents per yen: USD 6,700.00 out, less fees taken in JPY.
    const record = pacs008(
      {
        order: 2n,
        tranche: 0,
        uetr: "0x047e227b8f8c48e99db54b853aaa84d1",
        endToEndId: 2n << 8n,
        gross: 1_000_000n,
        importerBankFee: 1_000n,
        exporterBankFee: 1_500n,
        payout: 668_325n,
        rate: scaledRate("0.0067", 0, 2),
      },
      {
        messageId: "TL-31337-70-0",
        createdAt: new Date(Date.UTC(2027, 1, 20)),
        settlementCurrency: "USD",
        instructedCurrency: "JPY",
        settlementDecimals: 2,
        instructedDecimals: 0,
        debtorAgent: 6n,
        creditorAgent: 5n,
        debtor: 10n,
        creditor: 9n,
      },
    ) as { CdtTrfTxInf: Record<string, unknown> };
    const tx = record.CdtTrfTxInf;
    expect(tx.InstdAmt).to.deep.equal({ Ccy: "JPY", value: "1000000" });
    expect(tx.IntrBkSttlmAmt).to.deep.equal({ Ccy: "USD", value: "6683.25" });
    expect(tx.XchgRate).to.equal("0.0067");
    expect(tx.ChrgsInf).to.deep.equal([
      { Amt: { Ccy: "JPY", value: "1000" }, Agt: { MmbId: "6" } },
      { Amt: { Ccy: "JPY", value: "1500" }, Agt: { MmbId: "5" } },
    ]);
    expect(tx.NetInstdAmt).to.equal("997500");
  });

  it("test_decodeError_rendersTradeEnums", function () {
    // Governor-style: the current state and the expected states' bitmap, both by name.
    const data = AbiCoder.defaultAbiCoder().encode(
      ["uint64", "uint8", "bytes32"],
      [3n, 3, orderStateSet("Accepted", "Disputed")],
    );
    const selector = id("TradeUnexpectedOrderState(uint64,uint8,bytes32)").slice(0, 10);
    expect(decodeRevertData(selector + data.slice(2))?.message).to.equal(
      "TradeUnexpectedOrderState(id=3, current=Funded, expectedStates=Accepted|Disputed)",
    );
    const kind = AbiCoder.defaultAbiCoder().encode(["uint64", "uint8"], [3n, 2]);
    const sel2 = id("TradeEvidenceAlreadyComplete(uint64,uint8)").slice(0, 10);
    expect(decodeRevertData(sel2 + kind.slice(2))?.message).to.equal(
      "TradeEvidenceAlreadyComplete(id=3, kind=Delivered)",
    );
  });

  it("test_orderStateSet_isTheGovernorStyleBitmap_andOrderStatesInReadsItBack", function () {
    expect(orderStateSet("Created")).to.equal("0x" + "2".padStart(64, "0"));
    expect(orderStateSet("Accepted", "Funded")).to.equal("0x" + "c".padStart(64, "0"));
    expect(orderStatesIn(orderStateSet("Funded", "Disputed"))).to.deep.equal(["Funded", "Disputed"]);
    expect(orderStatesIn(0n)).to.deep.equal([]);
  });

  it("item 8 / item 4 / item 6: the new trade errors decode readably", function () {
    const coder = AbiCoder.defaultAbiCoder();
    const notChosen = coder.encode(["uint64", "address"], [7n, "0x" + "11".repeat(20)]);
    expect(
      decodeRevertData(id("TradeFxQuoteNotChosen(uint64,address)").slice(0, 10) + notChosen.slice(2))?.name,
    ).to.equal("TradeFxQuoteNotChosen");
    const below = coder.encode(["uint64", "uint256", "uint256"], [7n, 36n, 37n]);
    expect(
      decodeRevertData(id("TradeFxRateBelowMin(uint64,uint256,uint256)").slice(0, 10) + below.slice(2))?.message,
    ).to.equal("TradeFxRateBelowMin(id=7, rate=36, minRate=37)");
    const moved = coder.encode(["uint64", "uint8"], [7n, 2]);
    expect(decodeRevertData(id("TradeGoodsMoved(uint64,uint8)").slice(0, 10) + moved.slice(2))?.message).to.equal(
      "TradeGoodsMoved(id=7, evidenceDone=2)",
    );
    const dup = coder.encode(["uint64", "uint32"], [7n, 9n]);
    expect(
      decodeRevertData(id("TradeDuplicateOracleMember(uint64,uint32)").slice(0, 10) + dup.slice(2))?.message,
    ).to.equal("TradeDuplicateOracleMember(id=7, oracle=9)");
  });
});
