/** Trade orders in dispute, oldest first. */
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { CsvExportButton, ErrorAlert } from "../../components/kit";
import { useSession } from "../../session";
import { short, utcTime } from "./format";
import { DeskTable, useMemberName } from "./parts";
import { settledCount } from "../trade/format";

type Order = Schemas["OrderSummary"];

export default function DisputedOrders() {
  const { t } = useTranslation(["regulator", "common"]);
  const { api } = useSession();
  const orders = useQuery({
    queryKey: ["regulator", "disputedOrders"],
    queryFn: () => unwrap(api.GET("/v1/regulator/orders/disputed")),
  });
  const rows = (orders.data ?? []) as Order[];
  const member = useMemberName();
  return (
    <section aria-labelledby="orders-heading">
      <h2 id="orders-heading">{t("orders.title")}</h2>
      <ErrorAlert error={orders.error} />
      <div style={{ marginBottom: 8 }}>
        <CsvExportButton<Order>
          rows={rows}
          filename="orders-in-dispute.csv"
          columns={[
            { title: t("orders.id"), value: (o) => o.id },
            { title: t("orders.importer"), value: (o) => o.importer },
            { title: t("orders.exporter"), value: (o) => o.exporter },
            { title: t("orders.amount"), value: (o) => o.amount },
            { title: t("orders.payToken"), value: (o) => o.payToken },
            { title: t("orders.tranches"), value: (o) => `${settledCount(o)}/${o.tranches}` },
            { title: t("orders.created"), value: (o) => utcTime(o.createdAt) },
          ]}
        />
      </div>
      <DeskTable<Order>
        rowKey="id"
        loading={orders.isPending}
        dataSource={rows}
        caption={t("orders.caption", { count: rows.length })}
        columns={[
          { title: t("orders.id"), dataIndex: "id" },
          { title: t("orders.importer"), dataIndex: "importer", render: member },
          { title: t("orders.exporter"), dataIndex: "exporter", render: member },
          { title: t("orders.amount"), dataIndex: "amount", align: "right" },
          {
            title: t("orders.payToken"),
            dataIndex: "payToken",
            render: (a: string) => <code title={a}>{short(a)}</code>,
          },
          {
            title: t("orders.tranches"),
            render: (_: unknown, o: Order) => t("orders.settledOf", { settled: settledCount(o), total: o.tranches }),
          },
          { title: t("orders.created"), dataIndex: "createdAt", render: (at: number) => utcTime(at) },
        ]}
      />
    </section>
  );
}
