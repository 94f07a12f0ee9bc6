/**
 * The orders the signed-in member is party to; every order for the regulator (which supervises, party to none) and for
 * a token without a member.
 */
import { Button, Space, Table, Tag } from "antd";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

import { CsvExportButton, ErrorAlert } from "../../components/kit";
import { useSession } from "../../session";
import { money, settledCount } from "./format";
import { useOrders, type OrderSummary } from "./queries";

export function OrderList() {
  const { t, i18n } = useTranslation("trade");
  const { me } = useSession();
  const orders = useOrders(me.roles.includes("regulator") ? undefined : me.member?.id);
  const rows = orders.data ?? [];
  const parties = (o: OrderSummary) =>
    t("list.partiesText", { importer: o.importer, exporter: o.exporter, ib: o.importerBank, eb: o.exporterBank });
  return (
    <>
      <h1>{t("list.title")}</h1>
      <Space style={{ marginBottom: 16 }}>
        {me.roles.includes("importer") && (
          <Link href="/orders/new">
            <Button type="primary">{t("list.new")}</Button>
          </Link>
        )}
        <CsvExportButton
          rows={rows}
          filename="orders.csv"
          columns={[
            { title: t("list.id"), value: (o) => o.id },
            { title: t("list.document"), value: (o) => o.documentHash },
            { title: t("list.parties"), value: parties },
            { title: t("list.amount"), value: (o) => money(o.amount, o.currency) },
            { title: t("list.payout"), value: (o) => o.payoutCurrency },
            { title: t("list.state"), value: (o) => t(`state.${o.state}`, { defaultValue: o.state }) },
            { title: t("list.tranches"), value: (o) => `${settledCount(o)}/${o.tranches}` },
          ]}
        />
      </Space>
      <ErrorAlert error={orders.error} />
      <Table
        rowKey="id"
        size="small"
        loading={orders.isPending}
        dataSource={rows}
        caption={t("list.caption")}
        columns={[
          {
            title: t("list.id"),
            dataIndex: "id",
            render: (id: string) => (
              <Link href={`/orders/${id}`} style={{ color: "#1f4e79", textDecoration: "underline" }}>
                {t("list.open", { id })}
              </Link>
            ),
          },
          {
            title: t("list.document"),
            dataIndex: "documentHash",
            render: (h: string) => <code title={h}>{`${h.slice(0, 10)}…`}</code>,
          },
          { title: t("list.parties"), key: "parties", render: (_: unknown, o: OrderSummary) => parties(o) },
          {
            title: t("list.amount"),
            key: "amount",
            align: "right",
            render: (_: unknown, o: OrderSummary) => money(o.amount, o.currency, i18n.language),
          },
          { title: t("list.payout"), dataIndex: "payoutCurrency" },
          {
            title: t("list.state"),
            dataIndex: "state",
            render: (s: string) => <Tag>{t(`state.${s}`, { defaultValue: s })}</Tag>,
          },
          {
            title: t("list.tranches"),
            key: "tranches",
            render: (_: unknown, o: OrderSummary) => t("list.settledOf", { settled: settledCount(o), of: o.tranches }),
          },
        ]}
      />
    </>
  );
}
