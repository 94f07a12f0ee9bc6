/**
 * The holder's dialogs on a piece: split it (the new faces sum to its face, as the ledger requires), transfer it to
 * a supplier, and sell it on a bank's signed quote, seeing the price, the discount and the day count first.
 */
import { useState } from "react";
import { Alert, Button, Descriptions, Form, Input, Modal, Select, Space } from "antd";
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";

import { unwrap, type Schemas } from "../../api/client";
import { ErrorAlert, useWrite } from "../../components/kit";
import { useSession } from "../../session";
import { formatMinor } from "../../format";
import { DECIMALS, parseMajor } from "./amounts";

export interface PieceRef {
  id: string;
  face: string;
}

const header = (key: string) => ({ "idempotency-key": key });

export function SplitDialog({ piece, onClose }: { piece: PieceRef; onClose: () => void }) {
  const { t, i18n } = useTranslation("scf");
  const { api } = useSession();
  const [form] = Form.useForm<{ faces: { amount: string }[] }>();
  const write = useWrite((faces: string[], key) =>
    unwrap(
      api.POST("/v1/scf/receivables/{id}/split", {
        params: { path: { id: piece.id }, header: header(key) },
        body: { faces },
      }),
    ),
  );
  const face = BigInt(piece.face);
  const submit = async ({ faces }: { faces: { amount: string }[] }) => {
    await write.mutateAsync(faces.map((f) => f.amount.trim()));
    onClose();
  };
  return (
    <Modal open title={t("split.title", { id: piece.id })} onCancel={onClose} footer={null} destroyOnHidden>
      <p>{t("split.intro", { face: formatMinor(piece.face, DECIMALS, i18n.language) })}</p>
      <Form
        form={form}
        layout="vertical"
        initialValues={{ faces: [{ amount: "" }, { amount: "" }] }}
        onFinish={(v) => void submit(v).catch(() => {})}
      >
        <Form.List
          name="faces"
          rules={[
            {
              validator: async (_, rows: { amount?: string }[] | undefined) => {
                const list = rows ?? [];
                if (list.length < 2) throw new Error(t("split.atLeastTwo"));
                const minor = list.map((r) => parseMajor(r?.amount ?? ""));
                if (minor.some((m) => m === undefined)) return; // each field says why
                const sum = minor.reduce((a, b) => a! + b!, 0n)!;
                if (sum !== face) {
                  throw new Error(
                    t("split.mustSum", {
                      sum: formatMinor(sum.toString(), DECIMALS, i18n.language),
                      face: formatMinor(piece.face, DECIMALS, i18n.language),
                    }),
                  );
                }
              },
            },
          ]}
        >
          {(fields, { add, remove }, { errors }) => (
            <>
              {fields.map((field, i) => (
                <Space key={field.key} align="baseline">
                  <Form.Item
                    name={[field.name, "amount"]}
                    label={i === 0 ? t("split.keep", { id: piece.id }) : t("split.piece", { n: i + 1 })}
                    rules={[
                      {
                        validator: async (_, v: string | undefined) => {
                          if (parseMajor(v ?? "") === undefined) throw new Error(t("split.badAmount"));
                        },
                      },
                    ]}
                  >
                    <Input inputMode="decimal" placeholder="0.00" />
                  </Form.Item>
                  {fields.length > 2 ? (
                    <Button aria-label={t("split.remove", { n: i + 1 })} onClick={() => remove(field.name)}>
                      ×
                    </Button>
                  ) : null}
                </Space>
              ))}
              <Form.ErrorList errors={errors} />
              <Button onClick={() => add({ amount: "" })} style={{ marginBottom: 16 }}>
                {t("split.add")}
              </Button>
            </>
          )}
        </Form.List>
        <ErrorAlert error={write.error} />
        <Button type="primary" htmlType="submit" loading={write.isPending}>
          {t("split.submit")}
        </Button>
      </Form>
    </Modal>
  );
}

export function TransferDialog({ piece, onClose }: { piece: PieceRef; onClose: () => void }) {
  const { t } = useTranslation("scf");
  const { api, me } = useSession();
  const members = useQuery({ queryKey: ["members"], queryFn: () => unwrap(api.GET("/v1/members")) });
  const suppliers = (members.data ?? []).filter(
    (m: Schemas["Member"]) => m.roles.includes("Supplier") && m.id !== me.member?.id,
  );
  const write = useWrite((to: string, key) =>
    unwrap(
      api.POST("/v1/scf/receivables/{id}/transfer", {
        params: { path: { id: piece.id }, header: header(key) },
        body: { to },
      }),
    ),
  );
  return (
    <Modal open title={t("transfer.title", { id: piece.id })} onCancel={onClose} footer={null} destroyOnHidden>
      <ErrorAlert error={members.error} />
      <Form layout="vertical" onFinish={(v: { to: string }) => void write.mutateAsync(v.to).then(onClose, () => {})}>
        <Form.Item name="to" label={t("transfer.to")} rules={[{ required: true, message: t("transfer.pick") }]}>
          <Select
            loading={members.isPending}
            options={suppliers.map((m) => ({
              value: m.admin,
              label: t("transfer.option", { id: m.id, admin: m.admin }),
            }))}
          />
        </Form.Item>
        <ErrorAlert error={write.error} />
        <Button type="primary" htmlType="submit" loading={write.isPending}>
          {t("transfer.submit")}
        </Button>
      </Form>
    </Modal>
  );
}

type Preview = Schemas["FinancePreview"];

/** Reads the signed quote pasted in: the bank's whole answer or just `{ quote, signature }`. */
function signedQuote(text: string): { quote: Record<string, unknown>; signature: string } | undefined {
  try {
    const v = JSON.parse(text) as {
      quote?: unknown;
      signature?: unknown;
      result?: { quote?: unknown; signature?: unknown };
    };
    const s = v.result ?? v;
    if (typeof s.quote !== "object" || s.quote === null || typeof s.signature !== "string") return undefined;
    return { quote: s.quote as Record<string, unknown>, signature: s.signature };
  } catch {
    return undefined;
  }
}

export function FinanceDialog({ piece, onClose }: { piece: PieceRef; onClose: () => void }) {
  const { t, i18n } = useTranslation("scf");
  const { api } = useSession();
  const [signed, setSigned] = useState<{ quote: Record<string, unknown>; signature: string }>();
  const [preview, setPreview] = useState<Preview>();
  const [previewError, setPreviewError] = useState<unknown>();
  const [done, setDone] = useState<{ price: { amount: string; currency: string } }>();
  const sell = useWrite((body: { quote: Record<string, unknown>; signature: string }, key) =>
    unwrap(
      api.POST("/v1/scf/receivables/{id}/finance", { params: { path: { id: piece.id }, header: header(key) }, body }),
    ),
  );
  const check = async ({ quote }: { quote: string }) => {
    setPreview(undefined);
    setPreviewError(undefined);
    const s = signedQuote(quote);
    if (s === undefined) return;
    try {
      setPreview(
        await unwrap(
          api.POST("/v1/scf/receivables/{id}/finance/preview", { params: { path: { id: piece.id } }, body: s }),
        ),
      );
      setSigned(s);
      sell.fresh();
    } catch (err) {
      setPreviewError(err);
    }
  };
  const date = (s: number) => new Date(s * 1000).toLocaleString(i18n.language, { timeZone: "UTC" });
  return (
    <Modal
      open
      title={t("finance.title", { id: piece.id })}
      onCancel={onClose}
      footer={null}
      destroyOnHidden
      width={680}
    >
      <Form layout="vertical" onFinish={(v: { quote: string }) => void check(v)}>
        <Form.Item
          name="quote"
          label={t("finance.quote")}
          extra={t("finance.quoteHelp")}
          rules={[
            {
              validator: async (_, v: string | undefined) => {
                if (signedQuote(v ?? "") === undefined) throw new Error(t("finance.notAQuote"));
              },
            },
          ]}
        >
          <Input.TextArea rows={5} spellCheck={false} />
        </Form.Item>
        <Button htmlType="submit">{t("finance.check")}</Button>
      </Form>
      <ErrorAlert error={previewError} />
      {preview !== undefined && done === undefined ? (
        <section aria-label={t("finance.terms")} style={{ marginTop: 16 }}>
          <Descriptions bordered size="small" column={1} title={t("finance.terms")}>
            <Descriptions.Item label={t("finance.financier")}>
              {t("tree.holder", { id: preview.financier })}
            </Descriptions.Item>
            <Descriptions.Item label={t("finance.face")}>
              {preview.face.amount} {preview.face.currency}
            </Descriptions.Item>
            <Descriptions.Item label={t("finance.rate")}>
              {t("finance.rateValue", { pct: (preview.rateBps / 100).toFixed(2), bps: preview.rateBps })}
            </Descriptions.Item>
            <Descriptions.Item label={t("finance.dayCount")}>
              <span data-testid="day-count">
                {t("finance.dayCountValue", { days: preview.days, base: preview.dayBase })}
              </span>
            </Descriptions.Item>
            <Descriptions.Item label={t("finance.maturity")}>{date(preview.maturity)}</Descriptions.Item>
            <Descriptions.Item label={t("finance.discount")}>
              {preview.discount.amount} {preview.discount.currency}
            </Descriptions.Item>
            <Descriptions.Item label={t("finance.price")}>
              <strong data-testid="price">
                {preview.price.amount} {preview.price.currency}
              </strong>
            </Descriptions.Item>
            <Descriptions.Item label={t("finance.recourse")}>
              {preview.recourse ? t("finance.withRecourse") : t("finance.withoutRecourse")}
            </Descriptions.Item>
            <Descriptions.Item label={t("finance.expiry")}>{date(preview.expiry)}</Descriptions.Item>
          </Descriptions>
          <p style={{ marginTop: 8 }}>{t("finance.asOf", { at: date(preview.now) })}</p>
          <ErrorAlert error={sell.error} />
          <Button
            type="primary"
            loading={sell.isPending}
            onClick={() =>
              void sell.mutateAsync(signed!).then(
                (r) => setDone(r.result as { price: { amount: string; currency: string } }),
                () => {},
              )
            }
          >
            {t("finance.confirm", { amount: preview.price.amount, currency: preview.price.currency })}
          </Button>
        </section>
      ) : null}
      {done !== undefined ? (
        <Alert
          type="success"
          showIcon
          role="status"
          style={{ marginTop: 16 }}
          title={t("finance.sold", { id: piece.id, amount: done.price.amount, currency: done.price.currency })}
        />
      ) : null}
      <p style={{ marginTop: 8 }}>
        {t("finance.faceNote", { face: formatMinor(piece.face, DECIMALS, i18n.language) })}
      </p>
    </Modal>
  );
}
