/** A bank's quote for a piece: its rate and day count, signed by the service; the answer is handed to the holder. */
import { useState } from "react";
import { Button, Form, Input, InputNumber, Select } from "antd";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { ErrorAlert, useWrite } from "../../components/kit";
import { useSession } from "../../session";

interface QuoteInput {
  id: string;
  rateBps: number;
  dayBase: 360 | 365;
  validFor: number;
}

export function QuoteForm({ pieceId }: { pieceId?: string }) {
  const { t } = useTranslation("scf");
  const { api } = useSession();
  const [answer, setAnswer] = useState<string>();
  const write = useWrite((v: QuoteInput, key) =>
    unwrap(
      api.POST("/v1/scf/receivables/{id}/quotes", {
        params: { path: { id: v.id.trim() }, header: { "idempotency-key": key } },
        body: { rateBps: v.rateBps, dayBase: v.dayBase, validFor: v.validFor * 3600 },
      }),
    ),
  );
  return (
    <>
      <Form<QuoteInput>
        layout="inline"
        initialValues={{ id: pieceId, rateBps: 500, dayBase: 360, validFor: 1 }}
        onFinish={(v) =>
          void write.mutateAsync(v).then(
            (r) => {
              const { quote, signature } = r.result as { quote: unknown; signature: string };
              setAnswer(JSON.stringify({ quote, signature }, null, 2));
            },
            () => {},
          )
        }
      >
        <Form.Item
          name="id"
          label={t("quote.piece")}
          rules={[{ required: true, pattern: /^\s*R\d+\.\d+\s*$/i, message: t("quote.badId") }]}
        >
          <Input style={{ width: 120 }} />
        </Form.Item>
        <Form.Item
          name="rateBps"
          label={t("quote.rate")}
          rules={[{ required: true, type: "integer", min: 0, max: 65535, message: t("quote.badRate") }]}
        >
          <InputNumber min={0} max={65535} step={25} />
        </Form.Item>
        <Form.Item name="dayBase" label={t("quote.dayBase")}>
          <Select
            style={{ width: 140 }}
            options={[
              { value: 360, label: "ACT/360" },
              { value: 365, label: "ACT/365" },
            ]}
          />
        </Form.Item>
        <Form.Item
          name="validFor"
          label={t("quote.validFor")}
          rules={[{ required: true, type: "integer", min: 1, message: t("quote.badValidity") }]}
        >
          <InputNumber min={1} max={8760} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={write.isPending}>
          {t("quote.submit")}
        </Button>
      </Form>
      <ErrorAlert error={write.error} />
      {answer !== undefined ? (
        <Form layout="vertical" style={{ marginTop: 16 }}>
          <Form.Item label={t("quote.signed")} extra={t("quote.signedHelp")}>
            <Input.TextArea readOnly rows={8} value={answer} />
          </Form.Item>
        </Form>
      ) : null}
    </>
  );
}
