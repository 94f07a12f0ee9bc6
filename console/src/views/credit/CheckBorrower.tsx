/**
 * Check a borrower (a logged inquiry under the borrower's consent, named by its id in the consent book and its
 * purpose): the exposure, and what the policy says of a new loan of a given amount, product and APR from this member. The service
 * keys the id and judges; the chain refuses a consent that is expired, revoked, another borrower's, not covering this
 * member or given for another purpose. This only shows the answer.
 */
import { Alert, Button, Descriptions, Form, Input, Select } from "antd";
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
  formatMajor,
  optionalAmount,
  type Exposure,
} from "./parts";
import { CONSENT_ID, CONSENT_PURPOSES, formatAprBps } from "./rules";

type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

interface CheckValues {
  borrowerType: string;
  borrowerId: string;
  consentId: string;
  purpose: ConsentPurpose;
  amount?: string;
  product: string;
  aprBps?: string;
  /** Collections only: the member's loan being collected (review 34, C3). */
  loan?: string;
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
  policy: {
    mode: string;
    amount: string;
    currency: string;
    product: string;
    aprBps?: number;
    verdict: string;
    breaches: Breach[];
  };
  consentId: string;
  purpose: string;
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
        body: {
          ...body,
          consentId: body.consentId.trim(),
          amount: body.amount?.trim() || undefined,
          aprBps: body.aprBps?.trim() || undefined,
          loan: body.purpose === "Collections" ? body.loan?.trim() || undefined : undefined,
        },
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
        initialValues={{ borrowerType: "CN-RIC", purpose: "NewCredit", product: "ConsumerLoan" }}
        onValuesChange={() => write.isSuccess && write.fresh()}
        onFinish={(values) => write.mutate(values)}
      >
        <BorrowerFields />
        <Form.Item
          name="consentId"
          label={t("field.consentId")}
          extra={t("field.consentIdHelp")}
          rules={[required, { pattern: CONSENT_ID, message: t("form.consentId") }]}
        >
          <Input autoComplete="off" spellCheck={false} placeholder="0x…" />
        </Form.Item>
        <Form.Item name="purpose" label={t("field.purpose")} extra={t("field.purposeHelp")} rules={[required]}>
          <Select options={CONSENT_PURPOSES.map((v) => ({ value: v, label: t(`purpose.${v}`) }))} />
        </Form.Item>
        <Form.Item noStyle dependencies={["purpose"]}>
          {({ getFieldValue }) =>
            getFieldValue("purpose") === "Collections" && (
              <Form.Item name="loan" label={t("field.collectedLoan")} extra={t("field.collectedLoanHelp")}>
                <Input autoComplete="off" spellCheck={false} />
              </Form.Item>
            )
          }
        </Form.Item>
        <Form.Item
          name="amount"
          label={t("field.newLoan")}
          extra={t("field.newLoanHelp")}
          rules={[optionalAmount(t("form.amount"))]}
        >
          <Input inputMode="decimal" />
        </Form.Item>
        <ProductField />
        <AprField help={t("field.checkAprHelp")} />
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
              <Descriptions.Item label={t("field.consentId")}>
                <code>{r.consentId}</code>
              </Descriptions.Item>
              <Descriptions.Item label={t("field.purpose")}>
                {t(`purpose.${r.purpose}`, { defaultValue: r.purpose })}
              </Descriptions.Item>
              <Descriptions.Item label={t("field.product")}>
                {t(`product.${r.policy.product}`, { defaultValue: r.policy.product })}
              </Descriptions.Item>
              {r.policy.aprBps !== undefined && (
                <Descriptions.Item label={t("field.apr")}>
                  {formatAprBps(r.policy.aprBps, i18n.language)}
                </Descriptions.Item>
              )}
            </Descriptions>
            <ExposureView exposure={r.exposure} currency={r.policy.currency} />
          </>
        )}
      </div>
    </section>
  );
}
