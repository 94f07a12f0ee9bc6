/** Credit disputes not resolved yet (open or answered), newest first, with the loan's borrower and lender. */
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { CsvExportButton, ErrorAlert } from "../../components/kit";
import { useSession } from "../../session";
import { reasonText, utcTime } from "./format";
import { BorrowerKeyLink, DeskTable, useMemberName } from "./parts";

type Dispute = Schemas["CreditDispute"];

export default function Disputes(props: { onBorrower: (key: string) => void }) {
  const { t } = useTranslation(["regulator", "common"]);
  const { api } = useSession();
  const disputes = useQuery({
    queryKey: ["regulator", "disputes"],
    queryFn: () => unwrap(api.GET("/v1/regulator/disputes", { params: { query: { state: "Unresolved" } } })),
  });
  const member = useMemberName();
  const rows = (disputes.data ?? []) as Dispute[];
  return (
    <section aria-labelledby="disputes-heading">
      <h2 id="disputes-heading">{t("disputes.title")}</h2>
      <ErrorAlert error={disputes.error} />
      <div style={{ marginBottom: 8 }}>
        <CsvExportButton<Dispute>
          rows={rows}
          filename="credit-disputes.csv"
          columns={[
            { title: t("disputes.opened"), value: (d) => utcTime(d.openedAt) },
            { title: t("flags.borrowerKey"), value: (d) => d.borrowerKey },
            { title: t("flags.lender"), value: (d) => d.lender },
            { title: t("flags.loanId"), value: (d) => d.loanId },
            { title: t("disputes.openedBy"), value: (d) => d.openedBy },
            { title: t("disputes.reason"), value: (d) => reasonText(d.reason) },
            { title: t("disputes.state"), value: (d) => d.state },
            { title: t("disputes.response"), value: (d) => reasonText(d.response) },
          ]}
        />
      </div>
      <DeskTable<Dispute>
        rowKey={(d) => `${d.loanId}-${d.openedAt}`}
        loading={disputes.isPending}
        dataSource={rows}
        caption={t("disputes.caption", { count: rows.length })}
        columns={[
          { title: t("disputes.opened"), dataIndex: "openedAt", render: (at: number) => utcTime(at) },
          {
            title: t("flags.borrowerKey"),
            dataIndex: "borrowerKey",
            render: (key: string) => <BorrowerKeyLink value={key} onBorrower={props.onBorrower} />,
          },
          { title: t("flags.lender"), dataIndex: "lender", render: member },
          { title: t("disputes.openedBy"), dataIndex: "openedBy", render: member },
          { title: t("disputes.reason"), dataIndex: "reason", render: (r: string) => reasonText(r) },
          { title: t("disputes.state"), dataIndex: "state", render: (s: string) => t(`disputeState.${s}`, s) },
          { title: t("disputes.response"), dataIndex: "response", render: (r: string | null) => reasonText(r) },
        ]}
      />
    </section>
  );
}
