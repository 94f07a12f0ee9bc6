/**
 * ISO 20022 XML of a settled payment: the pacs.008 record `trade.pacs008` makes (a JSON object), written as a
 * pacs.008.001.08 FI-to-FI customer credit transfer document with xmlbuilder2 (escaping and namespaces by a kept
 * library). Members appear as clearing-system member ids and, for the debtor and creditor, as organisation ids
 * under the proprietary scheme TRADELINE-MEMBER: no names or accounts reach the message.
 */
import { create } from "xmlbuilder2";

export const PACS008_NAMESPACE = "urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08";

interface Amount {
  Ccy: string;
  value: string;
}

/** The JSON record `trade.pacs008` returns, as far as the XML needs it. */
export interface Pacs008Record {
  GrpHdr: {
    MsgId: string;
    CreDtTm: string;
    NbOfTxs: string;
    SttlmInf: { SttlmMtd: string; ClrSys: { Prtry: string } };
  };
  CdtTrfTxInf: {
    PmtId: { InstrId: string; EndToEndId: string; UETR: string };
    IntrBkSttlmAmt: Amount;
    InstdAmt: Amount;
    XchgRate: string;
    ChrgBr: string;
    ChrgsInf: { Amt: Amount; Agt: { MmbId: string } }[];
    Dbtr: { MmbId: string };
    DbtrAgt: { FinInstnId: { ClrSysMmbId: { MmbId: string } } };
    CdtrAgt: { FinInstnId: { ClrSysMmbId: { MmbId: string } } };
    Cdtr: { MmbId: string };
    RmtInf: { Strd: { RfrdDocInf: { Nb: string } } };
  };
}

const amount = (a: Amount) => ({ "@Ccy": a.Ccy, "#": a.value });
const agent = (memberId: string) => ({ FinInstnId: { ClrSysMmbId: { MmbId: memberId } } });
const party = (memberId: string) => ({
  Id: { OrgId: { Othr: { Id: memberId, SchmeNm: { Prtry: "TRADELINE-MEMBER" } } } },
});

/** The record as a pacs.008.001.08 XML document (UTF-8, elements in the schema's order). */
export function pacs008Xml(record: Pacs008Record): string {
  const g = record.GrpHdr;
  const t = record.CdtTrfTxInf;
  return create({ version: "1.0", encoding: "UTF-8" })
    .ele({
      Document: {
        "@xmlns": PACS008_NAMESPACE,
        FIToFICstmrCdtTrf: {
          GrpHdr: {
            MsgId: g.MsgId,
            CreDtTm: g.CreDtTm,
            NbOfTxs: g.NbOfTxs,
            SttlmInf: { SttlmMtd: g.SttlmInf.SttlmMtd, ClrSys: { Prtry: g.SttlmInf.ClrSys.Prtry } },
          },
          CdtTrfTxInf: {
            PmtId: { InstrId: t.PmtId.InstrId, EndToEndId: t.PmtId.EndToEndId, UETR: t.PmtId.UETR },
            IntrBkSttlmAmt: amount(t.IntrBkSttlmAmt),
            InstdAmt: amount(t.InstdAmt),
            XchgRate: t.XchgRate,
            ChrgBr: t.ChrgBr,
            ChrgsInf: t.ChrgsInf.map((c) => ({ Amt: amount(c.Amt), Agt: agent(c.Agt.MmbId) })),
            Dbtr: party(t.Dbtr.MmbId),
            DbtrAgt: agent(t.DbtrAgt.FinInstnId.ClrSysMmbId.MmbId),
            CdtrAgt: agent(t.CdtrAgt.FinInstnId.ClrSysMmbId.MmbId),
            Cdtr: party(t.Cdtr.MmbId),
            RmtInf: { Strd: { RfrdDocInf: { Nb: t.RmtInf.Strd.RfrdDocInf.Nb } } },
          },
        },
      },
    })
    .end({ prettyPrint: true });
}
