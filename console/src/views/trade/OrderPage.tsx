/**
 * One order: its terms, the tranches as a timeline (paid, released, or awaiting evidence with the signatures in of
 * those needed), the deadlines and what each brings, every payout in both currencies with its rate, fees and UETR
 * (its pacs.008 as XML or JSON), and the actions the signed-in party may take now.
 */
import { Button, Descriptions, Space, Spin, Steps, Table, Tag, Typography } from "antd";
import { DownloadOutlined } from "@ant-design/icons";
import { useState } from "react";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { ErrorAlert, saveFile } from "../../components/kit";
import { useSession } from "../../session";
import { OrderActions } from "./OrderActions";
import { BackLink } from "./parts";
import { majorRate, money, uetrText, when } from "./format";
import { useOrder, type Order, type Payment } from "./queries";

export function OrderPage({ id }: { id: string }) {
  const { t } = useTranslation("trade");
  const order = useOrder(id);
  return (
    <>
      <h1>{t("order.title", { id })}</h1>
      <BackLink />
      <ErrorAlert error={order.error} />
      {order.data === undefined ? order.isPending && <Spin /> : <OrderBody order={order.data} />}
    </>
  );
}

function OrderBody({ order }: { order: Order }) {
  const { t, i18n } = useTranslation("trade");
  const lang = i18n.language;
  return (
    <Space direction="vertical" size="large" style={{ width: "100%", marginTop: 16 }}>
      <Descriptions bordered size="small" column={2}>
        <Descriptions.Item label={t("order.state")}>
          <Tag>{t(`state.${order.state}`, { defaultValue: order.state })}</Tag>
        </Descriptions.Item>
        <Descriptions.Item label={t("order.document")}>
          <code>{order.documentHash}</code>
        </Descriptions.Item>
        <Descriptions.Item label={t("order.amount")}>{money(order.amount, order.currency, lang)}</Descriptions.Item>
        <Descriptions.Item label={t("order.payout")}>{order.payoutCurrency}</Descriptions.Item>
        <Descriptions.Item label={t("order.importer")}>{t("member", { id: order.importer })}</Descriptions.Item>
        <Descriptions.Item label={t("order.exporter")}>{t("member", { id: order.exporter })}</Descriptions.Item>
        <Descriptions.Item label={t("order.importerBank")}>
          {t("member", { id: order.importerBank })} · {t("order.feeBps", { bps: order.fees.importerBankBps })}
        </Descriptions.Item>
        <Descriptions.Item label={t("order.exporterBank")}>
          {t("member", { id: order.exporterBank })} · {t("order.feeBps", { bps: order.fees.exporterBankBps })}
        </Descriptions.Item>
        <Descriptions.Item label={t("order.fx")}>
          {order.fx === null
            ? t("order.noFx")
            : t("order.fxTerms", {
                provider: order.fx.provider,
                rate: majorRate(order.fx.minRate, order.currency, order.payoutCurrency),
              })}
        </Descriptions.Item>
        <Descriptions.Item label={t("order.financier")}>
          {order.financier === null ? t("order.noFinancier") : t("member", { id: order.financier })}
          {order.advanceOpen && <> · {t("order.advanceOpen")}</>}
        </Descriptions.Item>
        {order.heldAward !== null && (
          <Descriptions.Item label={t("order.heldAwardLabel")}>
            {t("order.heldAward", { amount: money(order.heldAward, order.currency, lang) })}
          </Descriptions.Item>
        )}
      </Descriptions>

      <OrderActions order={order} />

      <section aria-labelledby="tranches-h">
        <h2 id="tranches-h">{t("tranches.title")}</h2>
        <Tranches order={order} />
      </section>

      <section aria-labelledby="deadlines-h">
        <h2 id="deadlines-h">{t("deadlines.title")}</h2>
        <Deadlines order={order} />
      </section>

      <section aria-labelledby="payments-h">
        <h2 id="payments-h">{t("payments.title")}</h2>
        <Payments order={order} />
      </section>
    </Space>
  );
}

function Tranches({ order }: { order: Order }) {
  const { t } = useTranslation("trade");
  const count = Object.fromEntries(order.evidence.map((e) => [e.kind, e]));
  // A tranche is paid when its own payout is on record; settled without one, it was refunded to the importer's bank
  // or decided in a dispute (an award is a payout of its own, labelled "award").
  const paidTranches = new Set(order.payments.map((p) => p.tranche));
  const items = order.trancheDetails.map((tr) => {
    const paid = paidTranches.has(String(tr.tranche));
    const settled = paid || tr.settled;
    const released = !settled && tr.awaiting.length === 0;
    const status = paid ? "paid" : settled ? "settled" : released ? "released" : "awaiting";
    return {
      status: settled ? ("finish" as const) : released ? ("process" as const) : ("wait" as const),
      title: (
        <span data-testid={`tranche-${tr.tranche}`} style={{ color: "rgba(0, 0, 0, 0.88)" }}>
          {t("tranches.item", { n: tr.tranche, share: tr.shareBps / 100 })} — <strong>{t(`tranches.${status}`)}</strong>
        </span>
      ),
      description: (
        <div style={{ color: "rgba(0, 0, 0, 0.7)" }}>
          <div>
            {t("tranches.evidence", { kinds: tr.evidence.map((k) => t(`kind.${k}`, { defaultValue: k })).join(", ") })}
          </div>
          {tr.awaiting.map((k) => (
            <div key={k}>
              {t("tranches.signatures", {
                kind: t(`kind.${k}`, { defaultValue: k }),
                count: count[k]?.signatures ?? 0,
                needed: count[k]?.needed ?? 1,
              })}
            </div>
          ))}
        </div>
      ),
    };
  });
  return <Steps direction="vertical" size="small" items={items} />;
}

function Deadlines({ order }: { order: Order }) {
  const { t, i18n } = useTranslation("trade");
  const d = order.deadlines;
  const lang = i18n.language;
  const days = Math.round(d.objectionWindowSeconds / 86_400);
  const closes = d.deliveredAt === null ? null : d.deliveredAt + d.objectionWindowSeconds;
  return (
    <Descriptions bordered size="small" column={1}>
      <Descriptions.Item label={t("deadlines.shipment", { at: when(d.shipment, lang) })}>
        {t("deadlines.shipmentRule")}
      </Descriptions.Item>
      <Descriptions.Item label={t("deadlines.delivered")}>
        {d.deliveredAt === null ? t("deadlines.notDelivered") : when(d.deliveredAt, lang)}
      </Descriptions.Item>
      <Descriptions.Item
        label={
          closes === null
            ? t("deadlines.objectionAfterDelivery", { days })
            : t("deadlines.objection", { at: when(closes, lang) })
        }
      >
        {t("deadlines.objectionRule")}
      </Descriptions.Item>
      {d.disputeDeadline !== null && (
        <Descriptions.Item label={t("deadlines.arbiter", { at: when(d.disputeDeadline, lang) })}>
          {t("deadlines.arbiterRule")}
        </Descriptions.Item>
      )}
      <Descriptions.Item label={t("deadlines.expiry", { at: when(d.expiry, lang) })}>
        {t("deadlines.expiryRule")}
      </Descriptions.Item>
    </Descriptions>
  );
}

function Payments({ order }: { order: Order }) {
  const { t, i18n } = useTranslation("trade");
  const { api } = useSession();
  const lang = i18n.language;
  const [failed, setFailed] = useState<unknown>();
  const download = (uetr: string, format: "xml" | "json") => {
    setFailed(undefined);
    fetchRecord(uetr, format).catch(setFailed);
  };
  const fetchRecord = async (uetr: string, format: "xml" | "json") => {
    const text =
      format === "xml"
        ? await unwrap(
            api.GET("/v1/trade/payments/{uetr}/pacs008", {
              params: { path: { uetr }, query: { format } },
              parseAs: "text",
            }),
          )
        : JSON.stringify(
            await unwrap(api.GET("/v1/trade/payments/{uetr}/pacs008", { params: { path: { uetr } } })),
            null,
            2,
          );
    saveFile(
      `pacs008-${uetrText(uetr)}.${format}`,
      String(text),
      format === "xml" ? "application/xml" : "application/json",
    );
  };
  return (
    <>
      <ErrorAlert error={failed} />
      <Table<Payment>
        rowKey="uetr"
        size="small"
        pagination={false}
        dataSource={order.payments}
        locale={{ emptyText: <span style={{ color: "rgba(0, 0, 0, 0.7)" }}>{t("payments.none")}</span> }}
        columns={[
          { title: t("payments.tranche"), dataIndex: "tranche", render: (x: string) => t("payments.trancheOf", { x }) },
          { title: t("payments.at"), dataIndex: "at", render: (s: number) => when(s, lang) },
          {
            title: t("payments.gross"),
            dataIndex: "gross",
            align: "right",
            render: (g: string) => money(g, order.currency, lang),
          },
          {
            title: t("payments.fees"),
            key: "fees",
            render: (_: unknown, p: Payment) =>
              t("payments.feesText", {
                importer: money(p.importerBankFee, order.currency, lang),
                exporter: money(p.exporterBankFee, order.currency, lang),
              }),
          },
          {
            title: t("payments.rate"),
            dataIndex: "rate",
            // A refund returns the pay token to the importer's bank: nothing is converted.
            render: (r: string, p: Payment) =>
              p.tranche === "refund"
                ? t("payments.refundNoRate")
                : `${majorRate(r, order.currency, order.payoutCurrency)} ${order.payoutCurrency}/${order.currency}`,
          },
          {
            title: t("payments.payout"),
            dataIndex: "payout",
            align: "right",
            render: (x: string, p: Payment) => (
              <strong>{money(x, p.tranche === "refund" ? order.currency : order.payoutCurrency, lang)}</strong>
            ),
          },
          {
            title: t("payments.uetr"),
            dataIndex: "uetr",
            render: (u: string) => <Typography.Text code>{uetrText(u)}</Typography.Text>,
          },
          {
            title: t("payments.pacs008"),
            key: "pacs",
            render: (_: unknown, p: Payment) =>
              p.tranche === "refund" ? null : (
                <Space>
                  <Button size="small" icon={<DownloadOutlined />} onClick={() => download(p.uetr, "xml")}>
                    {t("payments.xml")}
                  </Button>
                  <Button size="small" icon={<DownloadOutlined />} onClick={() => download(p.uetr, "json")}>
                    {t("payments.json")}
                  </Button>
                </Space>
              ),
          },
        ]}
      />
    </>
  );
}
