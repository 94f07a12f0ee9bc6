import { expect } from "chai";
import { convert } from "xmlbuilder2";

import { PACS008_NAMESPACE, pacs008Xml, type Pacs008Record } from "../../src/iso20022.js";
import { pacs008 } from "../../src/trade.js";

describe("SDK ISO 20022 XML", function () {
  const record = pacs008(
    {
      order: 7n,
      tranche: 1,
      uetr: "0x" + "ab".repeat(16),
      endToEndId: 0x1234n,
      gross: 1_000_000n,
      importerBankFee: 1_500n,
      exporterBankFee: 2_500n,
      payout: 7_018_000n,
      rate: 7_046_000_000_000_000_000n,
      blockNumber: 12,
    },
    {
      messageId: "TL-31337-12-<&>",
      createdAt: new Date("2026-12-03T10:00:00Z"),
      settlementCurrency: "CNY",
      instructedCurrency: "USD",
      settlementDecimals: 2,
      instructedDecimals: 2,
      debtorAgent: 3n,
      creditorAgent: 4n,
      debtor: 5n,
      creditor: 6n,
    },
  ) as unknown as Pacs008Record;

  it("test_pacs008Xml_carriesTheRecord_inSchemaOrder_escaped", function () {
    const xml = pacs008Xml(record);
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>')).to.equal(true);
    // Escaped by the library, not by hand.
    expect(xml).to.include("<MsgId>TL-31337-12-&lt;&amp;&gt;</MsgId>");
    const doc = convert(xml, { format: "object" }) as {
      Document: { "@xmlns": string; FIToFICstmrCdtTrf: { CdtTrfTxInf: Record<string, unknown> } };
    };
    expect(doc.Document["@xmlns"]).to.equal(PACS008_NAMESPACE);
    const tx = doc.Document.FIToFICstmrCdtTrf.CdtTrfTxInf;
    expect(Object.keys(tx)).to.deep.equal([
      "PmtId",
      "IntrBkSttlmAmt",
      "InstdAmt",
      "XchgRate",
      "ChrgBr",
      "ChrgsInf",
      "Dbtr",
      "DbtrAgt",
      "CdtrAgt",
      "Cdtr",
      "RmtInf",
    ]);
    expect(tx.IntrBkSttlmAmt).to.deep.equal({ "@Ccy": "CNY", "#": "70180.00" });
    expect(tx.InstdAmt).to.deep.equal({ "@Ccy": "USD", "#": "10000.00" });
    expect(tx.XchgRate).to.equal("7.046");
    expect((tx.PmtId as { UETR: string }).UETR).to.equal(record.CdtTrfTxInf.PmtId.UETR);
    expect(tx.ChrgsInf).to.deep.equal([
      { Amt: { "@Ccy": "USD", "#": "15.00" }, Agt: { FinInstnId: { ClrSysMmbId: { MmbId: "3" } } } },
      { Amt: { "@Ccy": "USD", "#": "25.00" }, Agt: { FinInstnId: { ClrSysMmbId: { MmbId: "4" } } } },
    ]);
    expect(tx.Cdtr).to.deep.equal({ Id: { OrgId: { Othr: { Id: "6", SchmeNm: { Prtry: "TRADELINE-MEMBER" } } } } });
  });
});
