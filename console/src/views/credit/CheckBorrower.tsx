/**
 * Check a borrower (a logged inquiry, with the borrower's consent): the exposure, and what the policy says of a
 * new loan of a given amount from this member. The service keys the id and judges; this only shows its answer.
 */
import { Alert, Button, Descriptions, Form, Input } from "antd";
import { useTranslation } from "react-i18next";

import { unwrap } from "../../api/client";
import { ErrorAlert, useWrite } from "../../components/kit";
import { useSession } from "../../session";
import { BorrowerFields, ExposureView, FlagList, formatMajor, optionalAmount, type Exposure } from "./parts";

interface CheckValues {
  borrowerType: string;
  borrowerId: string;
  consent: string;
  amount?: string;
}

interface Breach {
  limit: string;
  value: string;
  max: string;
}

interface Checked {
  borrower: string;
  borrowerKey: string;
  exposure: Exposure;
  policy: { mode: string; amount: string; currency: string; verdict: string; breaches: Breach[] };
  consentSalt: string;
}

const VERDICTS: Record<string, string> = { "within every limit": "within", flagged: "flagged", refused: "refused" };

export function CheckBorrower() {
  const { t, i18n } = useTranslation("credit");
  const { api } = useSession();
  const [form] = Form.useForm<CheckValues>();
  const write = useWrite(async (body: CheckValues, key: string) => {
    const answer = await unwrap(
      api.POST("/v1/credit/inquiries", {
        params: { header: { "idempotency-key": key } },
        body: { ...body, amount: body.amount?.trim() || undefined },
      }),
    );
    return answer.result as unknown as Checked;
  });
  const required = { required: true, message: t("form.required") };
  const r = write.data;
  const verdict = r === undefined ? undefined : (VERDICTS[r.policy.verdict] ?? "flagged");

  return (
    <section aria-labelledby="credit-check">
      <h2 id="credit-check">{t("check.title")}</h2>
      <Form<CheckValues>
        form={form}
        layout="vertical"
        style={{ maxWidth: 560 }}
        initialValues={{ borrowerType: "CN-RIC" }}
        onValuesChange={() => write.isSuccess && write.fresh()}
        onFinish={(values) => write.mutate(values)}
      >
        <BorrowerFields />
        <Form.Item
          name="consent"
          label={t("field.consent")}
          extra={t("field.consentHelp")}
          rules={[required, { pattern: /^(?!0x[0-9a-fA-F]{64}$)/, message: t("form.consentNotHash") }]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="amount"
          label={t("field.newLoan")}
          extra={t("field.newLoanHelp")}
          rules={[optionalAmount(t("form.amount"))]}
        >
          <Input inputMode="decimal" />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={write.isPending}>
          {t("check.submit")}
        </Button>
      </Form>
      <div style={{ marginTop: 16 }}>
        <ErrorAlert error={write.error} />
        {r !== undefined && (
          <>
            <Alert
              type={verdict === "within" ? "success" : verdict === "refused" ? "error" : "warning"}
              showIcon
              role="status"
              title={t(`verdict.${verdict}`, {
                amount: formatMajor(r.policy.amount, r.policy.currency, i18n.language),
              })}
              description={t(`mode.${r.policy.mode}`, { defaultValue: r.policy.mode })}
              style={{ marginBottom: 16 }}
            />
            <FlagList flags={r.policy.breaches} currency={r.policy.currency} caption={t("check.breaches")} />
            <Descriptions size="small" column={1} style={{ marginBottom: 16 }}>
              <Descriptions.Item label={t("field.borrower")}>{r.borrower}</Descriptions.Item>
              <Descriptions.Item label={t("check.consentSalt")}>
                <code>{r.consentSalt}</code>
              </Descriptions.Item>
            </Descriptions>
            <ExposureView exposure={r.exposure} currency={r.policy.currency} />
          </>
        )}
      </div>
    </section>
  );
}
