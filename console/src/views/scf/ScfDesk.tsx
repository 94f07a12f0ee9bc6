/**
 * The supply-chain desk: the member's receivable pieces, a family drawn root to leaves, and the holder's split,
 * transfer and sale; a bank's treasury quotes for a piece here too.
 */
import { useState } from "react";
import { Button, Space, Table } from "antd";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { useLocation } from "wouter";

import { unwrap, type Schemas } from "../../api/client";
import { ErrorAlert } from "../../components/kit";
import { useSession } from "../../session";
import { formatMinor } from "../../format";
import { DECIMALS } from "./amounts";
import { FinanceDialog, SplitDialog, TransferDialog, type PieceRef } from "./Dialogs";
import { FamilyTree } from "./FamilyTree";
import { QuoteForm } from "./QuoteForm";

type Receivable = Schemas["Receivable"];
type Dialog = { kind: "split" | "transfer" | "finance"; piece: PieceRef };

export default function ScfDesk() {
  const { t, i18n } = useTranslation("scf");
  const { api, me } = useSession();
  const [location, navigate] = useLocation();
  const member = me.member?.id;
  const desk = me.roles.includes("supply-chain-desk");
  const bank = me.roles.includes("bank-treasury");
  // /scf/R1.2 shows that piece's family.
  const shown = /^\/scf\/(R\d+\.\d+)$/i.exec(location)?.[1];
  const [dialog, setDialog] = useState<Dialog>();

  const pieces = useQuery({
    queryKey: ["scf", "receivables", member],
    enabled: member !== undefined,
    // JSON (not the CSV the same endpoint offers): an array of pieces.
    queryFn: async () =>
      (await unwrap(api.GET("/v1/scf/receivables", { params: { query: { holder: member } } }))) as Receivable[],
  });
  const family = useQuery({
    queryKey: ["scf", "family", shown],
    enabled: shown !== undefined,
    queryFn: () => unwrap(api.GET("/v1/scf/receivables/{id}/family", { params: { path: { id: shown! } } })),
  });
  const date = (s: number) => new Date(s * 1000).toLocaleDateString(i18n.language, { timeZone: "UTC" });

  return (
    <>
      <h1>{t("title")}</h1>
      <section>
        <h2>{t("mine.heading")}</h2>
        {member === undefined ? <p>{t("mine.noMember")}</p> : null}
        <ErrorAlert error={pieces.error} />
        <Table<Receivable>
          rowKey="id"
          size="small"
          loading={pieces.isLoading}
          dataSource={pieces.data ?? []}
          pagination={false}
          // antd's grey "No data" picture fails axe's contrast check: plain words instead.
          locale={{ emptyText: <p style={{ color: "#1f1f1f" }}>{t("mine.empty")}</p> }}
          caption={t("mine.caption", { id: member ?? "—" })}
          columns={[
            { title: t("col.id"), dataIndex: "id" },
            { title: t("col.face"), dataIndex: "face", render: (f: string) => formatMinor(f, DECIMALS, i18n.language) },
            { title: t("col.maturity"), dataIndex: "maturity", render: date },
            {
              title: t("col.state"),
              dataIndex: "state",
              render: (s: string, r) => (
                <>
                  {t(`state.${s}`, { defaultValue: s })} (
                  {t(`familyState.${r.familyState}`, { defaultValue: r.familyState })})
                </>
              ),
            },
            { title: t("col.tier"), dataIndex: "tier" },
            { title: t("col.holder"), dataIndex: "holder", render: (h: number) => t("tree.holder", { id: h }) },
            {
              title: t("col.actions"),
              key: "actions",
              render: (_, r) => {
                const piece = { id: r.id, face: r.face };
                const open = desk && r.state === "Held" && r.familyState === "Confirmed";
                return (
                  <Space wrap>
                    <Button size="small" onClick={() => navigate(`/scf/${r.id}`)}>
                      {t("action.family", { id: r.id })}
                    </Button>
                    {open ? (
                      <>
                        <Button size="small" onClick={() => setDialog({ kind: "split", piece })}>
                          {t("action.split")}
                        </Button>
                        <Button size="small" onClick={() => setDialog({ kind: "transfer", piece })}>
                          {t("action.transfer")}
                        </Button>
                        <Button size="small" type="primary" onClick={() => setDialog({ kind: "finance", piece })}>
                          {t("action.sell", { id: r.id })}
                        </Button>
                      </>
                    ) : null}
                  </Space>
                );
              },
            },
          ]}
        />
      </section>
      {shown !== undefined ? (
        <section style={{ marginTop: 24 }}>
          <h2>{t("family.heading", { id: shown })}</h2>
          <ErrorAlert error={family.error} />
          {family.data !== undefined ? (
            <>
              <p>
                {t("family.summary", {
                  root: family.data.root,
                  debtor: family.data.debtor,
                  face: formatMinor(family.data.face, DECIMALS, i18n.language),
                  maturity: date(family.data.maturity),
                  state: t(`familyState.${family.data.state}`, { defaultValue: family.data.state }),
                })}
              </p>
              <FamilyTree pieces={family.data.pieces} member={member} />
            </>
          ) : null}
        </section>
      ) : null}
      {bank ? (
        <section style={{ marginTop: 24 }}>
          <h2>{t("quote.heading")}</h2>
          <QuoteForm key={shown} pieceId={shown} />
        </section>
      ) : null}
      {dialog?.kind === "split" ? <SplitDialog piece={dialog.piece} onClose={() => setDialog(undefined)} /> : null}
      {dialog?.kind === "transfer" ? (
        <TransferDialog piece={dialog.piece} onClose={() => setDialog(undefined)} />
      ) : null}
      {dialog?.kind === "finance" ? <FinanceDialog piece={dialog.piece} onClose={() => setDialog(undefined)} /> : null}
    </>
  );
}
