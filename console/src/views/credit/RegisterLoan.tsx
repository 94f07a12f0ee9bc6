/** Register a loan: checked here as the service checks it, then sent; the answer shows its ref and any flag. */
import { Alert, Button, Descriptions, Form, Input } from "antd";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { ErrorAlert, useWrite } from "../../components/kit";
import { useSession } from "../../session";
import {
  AprField,
  BorrowerFields,
  ExposureView,
  FlagList,
  ProductField,
  optionalAmount,
  type Exposure,
  type Flag,
} from "./parts";
import { LOAN_REF, compareAmounts, isDay, isPositiveAmount } from "./rules";

interface LoanValues {
  borrowerType: string;
  borrowerId: string;
  ref: string;
  product: string;
  principal: string;
  outstanding?: string;
  originated: string;
  matures: string;
  aprBps?: string;
}

interface Registered {
  ref: string;
  borrower: string;
  outstanding: string;
  currency: string;
  flags: Flag[];
  exposure: Exposure;
}

export function RegisterLoan() {
  const { t } = useTranslation("credit");
  const { api } = useSession();
  const [form] = Form.useForm<LoanValues>();
  const write = useWrite(async (body: LoanValues, key: string) => {
    const answer = await unwrap(
      api.POST("/v1/credit/loans", {
        params: { header: { "idempotency-key": key } },
        body: {
          ...body,
          outstanding: body.outstanding?.trim() || undefined,
          aprBps: body.aprBps?.trim() || undefined,
        },
      }),
    );
    return answer.result as unknown as Registered;
  });
  const today = new Date().toISOString().slice(0, 10);
  const required = { required: true, message: t("form.required") };
  const amountRule = optionalAmount(t("form.amount"));
  const dayRule = {
    validator: async (_: unknown, v?: string) => {
      if (v !== undefined && v.trim() !== "" && !isDay(v.trim())) throw new Error(t("form.day"));
    },
  };

  return (
    <section aria-labelledby="credit-register">
      <h2 id="credit-register">{t("register.title")}</h2>
      <Form<LoanValues>
        form={form}
        layout="vertical"
        style={{ maxWidth: 560 }}
        initialValues={{ borrowerType: "CN-RIC", product: "ConsumerLoan" }}
        onValuesChange={() => write.isSuccess && write.fresh()}
        onFinish={(values) => write.mutate(values)}
      >
        <BorrowerFields />
        <Form.Item name="ref" label={t("field.ref")} rules={[required, { pattern: LOAN_REF, message: t("form.ref") }]}>
          <Input />
        </Form.Item>
        <ProductField />
        <Form.Item name="principal" label={t("field.principal")} rules={[required, amountRule]}>
          <Input inputMode="decimal" placeholder="20000.00" />
        </Form.Item>
        <Form.Item
          name="outstanding"
          label={t("field.outstanding")}
          extra={t("field.outstandingHelp")}
          dependencies={["principal"]}
          rules={[
            amountRule,
            ({ getFieldValue }) => ({
              validator: async (_: unknown, v?: string) => {
                const p = String(getFieldValue("principal") ?? "").trim();
                if (v && isPositiveAmount(v.trim()) && isPositiveAmount(p) && compareAmounts(v.trim(), p) > 0) {
                  throw new Error(t("form.outstandingOverPrincipal"));
                }
              },
            }),
          ]}
        >
          <Input inputMode="decimal" />
        </Form.Item>
        <Form.Item
          name="originated"
          label={t("field.originated")}
          rules={[
            required,
            dayRule,
            {
              validator: async (_: unknown, v?: string) => {
                if (v && isDay(v.trim()) && v.trim() > today) throw new Error(t("form.future"));
              },
            },
          ]}
        >
          <Input placeholder="YYYY-MM-DD" />
        </Form.Item>
        <Form.Item
          name="matures"
          label={t("field.matures")}
          dependencies={["originated"]}
          rules={[
            required,
            dayRule,
            ({ getFieldValue }) => ({
              validator: async (_: unknown, v?: string) => {
                const o = String(getFieldValue("originated") ?? "").trim();
                if (v && isDay(v.trim()) && isDay(o) && v.trim() < o) throw new Error(t("form.maturesBefore"));
              },
            }),
          ]}
        >
          <Input placeholder="YYYY-MM-DD" />
        </Form.Item>
        <AprField />
        <Button type="primary" htmlType="submit" loading={write.isPending}>
          {t("register.submit")}
        </Button>
      </Form>
      <div style={{ marginTop: 16 }}>
        <ErrorAlert error={write.error} />
        {write.data !== undefined && (
          <>
            <Alert
              type={write.data.flags.length > 0 ? "warning" : "success"}
              showIcon
              role="status"
              title={
                write.data.flags.length > 0
                  ? t("register.flagged", { ref: write.data.ref })
                  : t("register.done", { ref: write.data.ref })
              }
              style={{ marginBottom: 16 }}
            />
            <Descriptions size="small" column={1} style={{ marginBottom: 16 }}>
              <Descriptions.Item label={t("field.ref")}>{write.data.ref}</Descriptions.Item>
              <Descriptions.Item label={t("field.borrower")}>{write.data.borrower}</Descriptions.Item>
              <Descriptions.Item label={t("field.outstanding")}>
                {write.data.outstanding} {write.data.currency}
              </Descriptions.Item>
            </Descriptions>
            <FlagList flags={write.data.flags} />
            <ExposureView exposure={write.data.exposure} currency={write.data.currency} />
          </>
        )}
      </div>
    </section>
  );
}
