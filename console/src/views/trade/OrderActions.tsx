/**
 * What the signed-in party may do with an order now, each a write with its Idempotency-Key: the exporter accepts,
 * sets its FX terms when paid out in another currency, and assigns its proceeds to a financier whose signed offer
 * it pastes; the importer's bank funds; the importer disputes within the objection window after delivery.
 */
import { useState } from "react";
import { Button, Card, Form, Input, InputNumber, Space, Typography } from "antd";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { ErrorAlert, useWrite } from "../../components/kit";
import { useSession } from "../../session";
import { when } from "./format";
import type { Order } from "./queries";

const key = (k: string) => ({ header: { "idempotency-key": k } });

export function OrderActions({ order }: { order: Order }) {
  const { t } = useTranslation("trade");
  const { me } = useSession();
  const member = me.member?.id;
  const payee = order.financier ?? order.exporter;
  const isExporter = me.roles.includes("exporter") && member === order.exporter;
  const isBank = me.roles.includes("bank-treasury") && member === order.importerBank;
  const isImporter = me.roles.includes("importer") && member === order.importer;
  // The payee's desk names the FX terms: the exporter's, or the financier's treasury once the proceeds are assigned
  // (the service authorises each step by the desk that takes it).
  const isPayeeDesk = order.financier === null ? isExporter : me.roles.includes("bank-treasury") && member === payee;
  const open = ["Accepted", "Funded", "Disputed"].includes(order.state);
  const blocks = [
    isExporter && order.state === "Created" && <Accept key="accept" order={order} />,
    isPayeeDesk && open && order.currency !== order.payoutCurrency && <FxTerms key="fx" order={order} />,
    // No assignment lands on a disputed order (assignmentBlocked): no offer form for it.
    isExporter && order.financier === null && open && order.state !== "Disputed" && (
      <Assign key="assign" order={order} />
    ),
    isBank && order.state === "Accepted" && <Fund key="fund" order={order} />,
    isImporter && (order.state === "Funded" || order.state === "Disputed") && <Dispute key="dispute" order={order} />,
  ].filter(Boolean);
  if (blocks.length === 0) return null;
  return (
    <section aria-labelledby="actions-h">
      <h2 id="actions-h">{t("actions.title")}</h2>
      <Space direction="vertical" style={{ width: "100%" }}>
        {blocks}
      </Space>
    </section>
  );
}

function Accept({ order }: { order: Order }) {
  const { t } = useTranslation("trade");
  const { api } = useSession();
  const write = useWrite((_: void, k) =>
    unwrap(api.POST("/v1/trade/orders/{id}/accept", { params: { path: { id: order.id }, ...key(k) }, body: {} })),
  );
  return (
    <Card size="small" title={t("actions.accept")}>
      <ErrorAlert error={write.error} />
      <Typography.Paragraph>{t("actions.acceptHelp")}</Typography.Paragraph>
      <Button type="primary" loading={write.isPending} onClick={() => write.mutate()}>
        {t("actions.acceptButton")}
      </Button>
    </Card>
  );
}

function FxTerms({ order }: { order: Order }) {
  const { t } = useTranslation("trade");
  const { api } = useSession();
  const write = useWrite((v: { provider: number; minRate: string }, k) =>
    unwrap(api.POST("/v1/trade/orders/{id}/fx-terms", { params: { path: { id: order.id }, ...key(k) }, body: v })),
  );
  return (
    <Card size="small" title={t("actions.fx")}>
      <ErrorAlert error={write.error} />
      <Typography.Paragraph>
        {t("actions.fxHelp", { pay: order.currency, payout: order.payoutCurrency })}
      </Typography.Paragraph>
      <Form layout="inline" onFinish={(v: { provider: number; minRate: string }) => write.mutate(v)}>
        <Form.Item
          name="provider"
          label={t("actions.provider")}
          rules={[{ required: true, message: t("actions.providerRequired") }]}
        >
          <InputNumber min={1} precision={0} />
        </Form.Item>
        <Form.Item
          name="minRate"
          label={t("actions.minRate", { payout: order.payoutCurrency, pay: order.currency })}
          rules={[
            { required: true, message: t("actions.minRateRequired") },
            { pattern: /^\d+(\.\d{1,18})?$/, message: t("actions.minRateShape") },
          ]}
        >
          <Input style={{ width: 120 }} />
        </Form.Item>
        <Button htmlType="submit" type="primary" loading={write.isPending}>
          {t("actions.fxButton")}
        </Button>
      </Form>
    </Card>
  );
}

/** An offer as the financier's desk hands it over (POST …/assignment-offers), or undefined if the text is not one. */
function parseOffer(text: string | undefined): Record<string, string> | undefined {
  if (text === undefined || text.trim() === "") return undefined;
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) return undefined;
    return parsed as Record<string, string>;
  } catch {
    return undefined;
  }
}

type AssignmentPreview = Awaited<ReturnType<typeof previewOf>>;
function previewOf(api: ReturnType<typeof useSession>["api"], id: string, assignment: Record<string, string>) {
  return unwrap(
    api.POST("/v1/trade/orders/{id}/assignments/preview", { params: { path: { id } }, body: { assignment } }),
  );
}

/**
 * The exporter assigns every later tranche to the financier its pasted offer names. The offer is checked first by the
 * service, which answers what the chain would record: the financier, the member whose operator signed, the advance in
 * the credit registry's currency (never the offer's own text), until when it holds (adversarial reviews 11 and 12).
 * Assigning sends the offer that was checked; editing the text asks for a new check.
 */
function Assign({ order }: { order: Order }) {
  const { t, i18n } = useTranslation("trade");
  const { api } = useSession();
  const [checked, setChecked] = useState<{ offer: Record<string, string>; preview: AssignmentPreview }>();
  const [previewError, setPreviewError] = useState<unknown>();
  const write = useWrite((assignment: Record<string, string>, k) =>
    unwrap(
      api.POST("/v1/trade/orders/{id}/assignments", {
        params: { path: { id: order.id }, ...key(k) },
        body: { assignment },
      }),
    ),
  );
  const check = async ({ offer: text }: { offer: string }) => {
    setChecked(undefined);
    setPreviewError(undefined);
    const offer = parseOffer(text);
    if (offer === undefined) return;
    try {
      setChecked({ offer, preview: await previewOf(api, order.id, offer) });
      write.fresh();
    } catch (err) {
      setPreviewError(err);
    }
  };
  const p = checked?.preview;
  return (
    <Card size="small" title={t("actions.assign")}>
      <ErrorAlert error={write.error} />
      <Typography.Paragraph>{t("actions.assignHelp")}</Typography.Paragraph>
      <Form
        layout="vertical"
        onFinish={(v: { offer: string }) => void check(v)}
        onValuesChange={() => setChecked(undefined)}
      >
        <Form.Item
          name="offer"
          label={t("actions.offer")}
          rules={[
            { required: true, message: t("actions.offerRequired") },
            {
              validator: async (_, text: string | undefined) => {
                if (text !== undefined && text.trim() !== "" && parseOffer(text) === undefined) {
                  throw new Error(t("actions.offerShape"));
                }
              },
            },
          ]}
        >
          <Input.TextArea rows={4} spellCheck={false} />
        </Form.Item>
        <Button htmlType="submit">{t("actions.offerCheckButton")}</Button>
      </Form>
      <ErrorAlert error={previewError} />
      {p !== undefined && (
        <section aria-label={t("actions.offerTerms")} style={{ marginTop: 12 }}>
          <Typography.Paragraph data-testid="offer-summary">
            {t("actions.offerSummary", {
              financier: p.financier,
              advance: `${p.advance.amount} ${p.advance.currency}`,
              until: when(p.deadline, i18n.language),
            })}
          </Typography.Paragraph>
          {p.signedBy !== p.financier && (
            <Typography.Paragraph type="danger">
              {t("actions.offerSignedByOther", { signer: p.signedBy, financier: p.financier })}
            </Typography.Paragraph>
          )}
          {p.spent && <Typography.Paragraph type="danger">{t("actions.offerSpent")}</Typography.Paragraph>}
          {p.expired && <Typography.Paragraph type="danger">{t("actions.offerExpired")}</Typography.Paragraph>}
          {p.refused !== null && !p.expired && (
            <Typography.Paragraph type="danger">
              {t("actions.offerRefused", { reason: p.refused })}
            </Typography.Paragraph>
          )}
          <Button
            type="primary"
            disabled={p.spent || p.refused !== null}
            loading={write.isPending}
            onClick={() => write.mutate(checked!.offer)}
          >
            {t("actions.assignButton")}
          </Button>
        </section>
      )}
    </Card>
  );
}

function Fund({ order }: { order: Order }) {
  const { t } = useTranslation("trade");
  const { api } = useSession();
  const write = useWrite((_: void, k) =>
    unwrap(api.POST("/v1/trade/orders/{id}/fund", { params: { path: { id: order.id }, ...key(k) }, body: {} })),
  );
  return (
    <Card size="small" title={t("actions.fund")}>
      <ErrorAlert error={write.error} />
      <Typography.Paragraph>{t("actions.fundHelp")}</Typography.Paragraph>
      <Button type="primary" loading={write.isPending} onClick={() => write.mutate()}>
        {t("actions.fundButton")}
      </Button>
    </Card>
  );
}

function Dispute({ order }: { order: Order }) {
  const { t, i18n } = useTranslation("trade");
  const { api, me } = useSession();
  const [now] = useState(() => Math.floor(Date.now() / 1000));
  const write = useWrite((v: { reason: string }, k) =>
    unwrap(api.POST("/v1/trade/orders/{id}/dispute", { params: { path: { id: order.id }, ...key(k) }, body: v })),
  );
  const d = order.deadlines;
  const closes = d.deliveredAt === null ? null : d.deliveredAt + d.objectionWindowSeconds;
  // The contract lets the importer's own member dispute, once delivered, within the window, and only once.
  const why =
    me.member?.id !== order.importer
      ? t("actions.disputeOnlyImporter")
      : order.state === "Disputed"
        ? t("actions.disputeAlready")
        : closes === null
          ? t("actions.disputeNotDelivered", { days: Math.round(d.objectionWindowSeconds / 86_400) })
          : now > closes
            ? t("actions.disputeClosed", { at: when(closes, i18n.language) })
            : undefined;
  return (
    <Card size="small" title={t("actions.dispute")}>
      <ErrorAlert error={write.error} />
      <Typography.Paragraph data-testid="dispute-window">
        {closes === null
          ? t("actions.windowAfterDelivery", { days: Math.round(d.objectionWindowSeconds / 86_400) })
          : t("actions.windowEnds", { at: when(closes, i18n.language) })}
      </Typography.Paragraph>
      {why !== undefined && <Typography.Paragraph>{why}</Typography.Paragraph>}
      <Form layout="inline" disabled={why !== undefined} onFinish={(v: { reason: string }) => write.mutate(v)}>
        <Form.Item
          name="reason"
          label={t("actions.reason")}
          rules={[
            { required: true, message: t("actions.reasonRequired") },
            { max: 31, message: t("actions.reasonLength") },
          ]}
        >
          <Input style={{ width: 240 }} />
        </Form.Item>
        <Button htmlType="submit" danger loading={write.isPending}>
          {t("actions.disputeButton")}
        </Button>
      </Form>
    </Card>
  );
}
