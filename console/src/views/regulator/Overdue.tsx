/** Receivable families overdue or defaulted, and those due past their grace but not marked yet. */
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { CsvExportButton, ErrorAlert } from "../../components/kit";
import { useSession } from "../../session";
import { short, utcTime } from "./format";
import { DeskTable, useMemberName } from "./parts";

type Family = Schemas["OverdueFamily"];

export default function Overdue() {
  const { t } = useTranslation(["regulator", "common"]);
  const { api } = useSession();
  const overdue = useQuery({
    queryKey: ["regulator", "overdue"],
    queryFn: () => unwrap(api.GET("/v1/scf/receivables/overdue")),
  });
  const rows = (overdue.data ?? []) as Family[];
  const member = useMemberName();
  return (
    <section aria-labelledby="overdue-heading">
      <h2 id="overdue-heading">{t("overdue.title")}</h2>
      <ErrorAlert error={overdue.error} />
      <div style={{ marginBottom: 8 }}>
        <CsvExportButton<Family>
          rows={rows}
          filename="overdue-receivables.csv"
          columns={[
            { title: t("overdue.root"), value: (f) => f.root },
            { title: t("overdue.debtor"), value: (f) => f.debtor },
            { title: t("overdue.token"), value: (f) => f.token },
            { title: t("overdue.face"), value: (f) => f.face },
            { title: t("overdue.paid"), value: (f) => f.paid },
            { title: t("overdue.state"), value: (f) => f.state },
            { title: t("overdue.maturity"), value: (f) => utcTime(f.maturity) },
            { title: t("overdue.daysPastDue"), value: (f) => f.daysPastDue },
          ]}
        />
      </div>
      <DeskTable<Family>
        rowKey="root"
        loading={overdue.isPending}
        dataSource={rows}
        caption={t("overdue.caption", { count: rows.length })}
        columns={[
          { title: t("overdue.root"), dataIndex: "root" },
          { title: t("overdue.debtor"), dataIndex: "debtor", render: member },
          { title: t("overdue.token"), dataIndex: "token", render: (a: string) => <code title={a}>{short(a)}</code> },
          { title: t("overdue.face"), dataIndex: "face", align: "right" },
          { title: t("overdue.paid"), dataIndex: "paid", align: "right" },
          { title: t("overdue.state"), dataIndex: "state", render: (s: string) => t(`familyState.${s}`, s) },
          { title: t("overdue.maturity"), dataIndex: "maturity", render: (m: number) => utcTime(m) },
          { title: t("overdue.daysPastDue"), dataIndex: "daysPastDue", align: "right" },
        ]}
      />
    </section>
  );
}
