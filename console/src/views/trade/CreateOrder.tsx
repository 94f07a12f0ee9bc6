/**
 * The importer's new order. Every rule `trade:create` checks is checked here first, with the SDK's own functions
 * (terms.ts): tranche shares summing to 100% over known evidence kinds, a positive amount within the contract's
 * 96 bits, known currencies, fees within the cap, and now < shipment deadline < expiry. Nothing is sent until they
 * hold; what the service still refuses is shown in words.
 */
import { useState } from "react";
import { Alert, Button, Form, Input, InputNumber, Select, Space } from "antd";
import { useTranslation } from "react-i18next";
import { useLocation } from "wouter";

import { unwrap } from "../../api/client";
import { ErrorAlert, useWrite } from "../../components/kit";
import { useSession } from "../../session";
import { EVIDENCE_KINDS, MAX_FEE_BPS, amountProblem, termsProblem, tranchesProblem, type CreateValues } from "./terms";
import { useCurrencies } from "./queries";
import { BackLink, Help } from "./parts";

export function CreateOrder() {
  const { t } = useTranslation("trade");
  const { api } = useSession();
  const [, navigate] = useLocation();
  const [form] = Form.useForm<CreateValues>();
  const currencies = useCurrencies();
  const [refusal, setRefusal] = useState<string>();
  const decimalsOf = (code: string | undefined) => currencies.data?.find((c) => c.code === code)?.decimals;
  const write = useWrite((body: CreateValues, k) =>
    unwrap(api.POST("/v1/trade/orders", { params: { header: { "idempotency-key": k } }, body })),
  );
  const options = (currencies.data ?? []).map((c) => ({ value: c.code, label: c.code }));

  const submit = (v: CreateValues) => {
    const body = { ...v, payout: v.payout === undefined || v.payout === "" ? undefined : v.payout };
    const problem = termsProblem(body, decimalsOf(v.currency) ?? 0, Math.floor(Date.now() / 1000));
    setRefusal(problem);
    if (problem !== undefined) return;
    write.mutate(body, { onSuccess: (r) => navigate(`/orders/${String(r.result.id)}`) });
  };

  return (
    <>
      <h1>{t("create.title")}</h1>
      <BackLink />
      <ErrorAlert error={currencies.error} />
      <ErrorAlert error={write.error} />
      {refusal !== undefined && (
        <Alert type="error" showIcon role="alert" title={t("create.refused")} description={refusal} />
      )}
      <Form<CreateValues>
        form={form}
        layout="vertical"
        style={{ maxWidth: 640, marginTop: 16 }}
        initialValues={{ objectionDays: 3, importerFeeBps: 0, exporterFeeBps: 0 }}
        onFinish={submit}
      >
        {(["exporter", "importerBank", "exporterBank"] as const).map((name) => (
          <Form.Item
            key={name}
            name={name}
            label={t(`create.${name}`)}
            rules={[{ required: true, message: t("create.memberRequired") }]}
          >
            <InputNumber min={1} max={0xffffffff} precision={0} style={{ width: 200 }} />
          </Form.Item>
        ))}
        <Form.Item
          name="document"
          label={t("create.document")}
          extra={<Help>{t("create.documentHelp")}</Help>}
          rules={[{ required: true, whitespace: true, message: t("create.documentRequired") }]}
        >
          <Input />
        </Form.Item>
        <Space size="large" align="start" wrap>
          <Form.Item
            name="currency"
            label={t("create.currency")}
            rules={[{ required: true, message: t("create.currencyRequired") }]}
          >
            <Select showSearch options={options} style={{ width: 140 }} loading={currencies.isPending} />
          </Form.Item>
          <Form.Item name="payout" label={t("create.payout")} extra={<Help>{t("create.payoutHelp")}</Help>}>
            <Select showSearch options={options} allowClear style={{ width: 140 }} />
          </Form.Item>
          <Form.Item
            name="amount"
            label={t("create.amount")}
            dependencies={["currency"]}
            rules={[
              { required: true, message: t("create.amountRequired") },
              {
                validator: async (_, text: string | undefined) => {
                  if (text === undefined || text === "") return;
                  const problem = amountProblem(text, decimalsOf(form.getFieldValue("currency")) ?? 2);
                  if (problem !== undefined) throw new Error(t("create.amountInvalid", { problem }));
                },
              },
            ]}
          >
            <Input style={{ width: 200 }} />
          </Form.Item>
        </Space>
        <Form.Item
          name="tranches"
          label={t("create.tranches")}
          extra={<Help>{t("create.tranchesHelp", { kinds: EVIDENCE_KINDS.join(", ") })}</Help>}
          rules={[
            { required: true, message: t("create.tranchesRequired") },
            {
              validator: async (_, text: string | undefined) => {
                if (text === undefined || text === "") return;
                const problem = tranchesProblem(text);
                if (problem !== undefined) throw new Error(t("create.tranchesInvalid", { problem }));
              },
            },
          ]}
        >
          <Input placeholder="30:Shipped,40:CustomsCleared,30:Delivered" />
        </Form.Item>
        <Space size="large" align="start" wrap>
          <Form.Item
            name="shipBy"
            label={t("create.shipBy")}
            rules={[
              { required: true, message: t("create.dateRequired") },
              {
                validator: async (_, day: string | undefined) => {
                  if (day && Date.parse(`${day}T23:59:59Z`) <= Date.now()) throw new Error(t("create.shipByPast"));
                },
              },
            ]}
          >
            <Input type="date" />
          </Form.Item>
          <Form.Item
            name="expires"
            label={t("create.expires")}
            dependencies={["shipBy"]}
            rules={[
              { required: true, message: t("create.dateRequired") },
              ({ getFieldValue }) => ({
                validator: async (_, day: string | undefined) => {
                  const ship = getFieldValue("shipBy") as string | undefined;
                  if (day && ship && day <= ship) throw new Error(t("create.expiresBeforeShip"));
                },
              }),
            ]}
          >
            <Input type="date" />
          </Form.Item>
          <Form.Item
            name="objectionDays"
            label={t("create.objectionDays")}
            rules={[{ required: true, message: t("create.objectionRequired") }]}
          >
            <InputNumber min={0} max={365} precision={0} />
          </Form.Item>
        </Space>
        <Space size="large" align="start" wrap>
          {(["importerFeeBps", "exporterFeeBps"] as const).map((name) => (
            <Form.Item
              key={name}
              name={name}
              label={t(`create.${name}`)}
              rules={[
                { required: true, message: t("create.feeRequired") },
                { type: "number", min: 0, max: MAX_FEE_BPS, message: t("create.feeRange", { max: MAX_FEE_BPS }) },
              ]}
            >
              <InputNumber precision={0} />
            </Form.Item>
          ))}
        </Space>
        <Form.Item>
          <Button type="primary" htmlType="submit" loading={write.isPending}>
            {t("create.submit")}
          </Button>
        </Form.Item>
      </Form>
    </>
  );
}
