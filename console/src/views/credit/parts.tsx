/** Pieces the lender desk's panels share: a borrower's exposure, the flags a loan raised, amounts for people. */
import { Descriptions, Form, Input, Select, Table } from "antd";
import { useTranslation } from "react-i18next";

import { formatAmount } from "../../../../src/encoding";
import { APR_BPS, ID_NUMBER, ID_TYPES, PRODUCTS, formatAprBps, isPositiveAmount } from "./rules";

export interface Exposure {
  activeLoans: number;
  activeLenders: number;
  /** Minor units of the reporting currency. */
  outstanding: string;
  defaults: number;
  inquiries: number;
}

export interface Flag {
  limit: string;
  value: string;
  max: string;
  loanId?: string;
  borrowerKey?: string;
}

/** Minor units of `currency` as people read them (its decimals are ISO 4217's, as the service's). */
export function formatMinor(minor: string, currency: string | undefined, language: string): string {
  if (currency === undefined) return minor;
  try {
    const format = new Intl.NumberFormat(language, { style: "currency", currency });
    const decimals = format.resolvedOptions().maximumFractionDigits ?? 2;
    // Through a decimal string: amounts past 2^53 keep their digits.
    return format.format(formatAmount(BigInt(minor), decimals) as unknown as number);
  } catch {
    return `${minor} ${currency}`;
  }
}

/** A major-unit amount the service gave, with its currency, as people read it. */
export function formatMajor(major: string, currency: string, language: string): string {
  try {
    return new Intl.NumberFormat(language, { style: "currency", currency }).format(major as unknown as number);
  } catch {
    return `${major} ${currency}`;
  }
}

export function ExposureView({ exposure, currency }: { exposure: Exposure; currency?: string }) {
  const { t, i18n } = useTranslation("credit");
  return (
    <Descriptions size="small" column={1} bordered title={t("exposure.title")} style={{ marginBottom: 16 }}>
      <Descriptions.Item label={t("exposure.activeLoans")}>{exposure.activeLoans}</Descriptions.Item>
      <Descriptions.Item label={t("exposure.activeLenders")}>{exposure.activeLenders}</Descriptions.Item>
      <Descriptions.Item label={t("exposure.outstanding")}>
        {formatMinor(exposure.outstanding, currency, i18n.language)}
      </Descriptions.Item>
      <Descriptions.Item label={t("exposure.defaults")}>{exposure.defaults}</Descriptions.Item>
      <Descriptions.Item label={t("exposure.inquiries")}>{exposure.inquiries}</Descriptions.Item>
    </Descriptions>
  );
}

/** A limit's value in words: a count, an amount for the outstanding limit, a percentage for the APR cap. */
function limitValue(flag: Flag, which: "value" | "max", currency: string | undefined, language: string): string {
  if (flag.limit === "Outstanding") return formatMinor(flag[which], currency, language);
  return flag.limit === "Apr" ? formatAprBps(Number(flag[which]), language) : flag[which];
}

/** The limits a loan broke (or a new one would), each with its value and the policy's most; none, nothing. */
export function FlagList({ flags, currency, caption }: { flags: Flag[]; currency?: string; caption?: string }) {
  const { t, i18n } = useTranslation("credit");
  if (flags.length === 0) return null;
  return (
    <Table<Flag>
      size="small"
      rowKey={(f) => `${f.loanId ?? ""}-${f.limit}`}
      pagination={false}
      caption={caption ?? t("flags.caption")}
      dataSource={flags}
      style={{ marginBottom: 16 }}
      columns={[
        { title: t("flags.limit"), dataIndex: "limit", render: (l: string) => t(`limit.${l}`, { defaultValue: l }) },
        { title: t("flags.value"), render: (_, f) => limitValue(f, "value", currency, i18n.language) },
        { title: t("flags.max"), render: (_, f) => limitValue(f, "max", currency, i18n.language) },
      ]}
    />
  );
}

/** The borrower's id type and number, as the forms that name a borrower ask for them (both required). */
export function BorrowerFields() {
  const { t } = useTranslation("credit");
  const required = { required: true, message: t("form.required") };
  return (
    <>
      <Form.Item name="borrowerType" label={t("field.borrowerType")} rules={[required]}>
        <Select options={ID_TYPES.map((v) => ({ value: v, label: v }))} />
      </Form.Item>
      <Form.Item
        name="borrowerId"
        label={t("field.borrowerId")}
        extra={t("field.borrowerIdHelp")}
        rules={[required, { pattern: ID_NUMBER, message: t("form.idNumber") }]}
      >
        <Input autoComplete="off" />
      </Form.Item>
    </>
  );
}

/** A form rule: an amount, where one is given, is positive in major units (`message` says so otherwise). */
export function optionalAmount(message: string) {
  return {
    validator: async (_: unknown, v?: string) => {
      if (v !== undefined && v.trim() !== "" && !isPositiveAmount(v.trim())) throw new Error(message);
    },
  };
}

/** A loan's product kind, from the registry's list (the forms start at ConsumerLoan). */
export function ProductField() {
  const { t } = useTranslation("credit");
  return (
    <Form.Item name="product" label={t("field.product")} rules={[{ required: true, message: t("form.required") }]}>
      <Select options={PRODUCTS.map((v) => ({ value: v, label: t(`product.${v}`) }))} />
    </Form.Item>
  );
}

/** A loan's APR in whole basis points (optional), read back as a percentage while it is typed. */
export function AprField({ help }: { help?: string }) {
  const { t, i18n } = useTranslation("credit");
  const text = String(Form.useWatch("aprBps", Form.useFormInstance()) ?? "").trim();
  return (
    <Form.Item
      name="aprBps"
      label={t("field.aprBps")}
      extra={
        APR_BPS.test(text)
          ? t("field.aprIs", { apr: formatAprBps(Number(text), i18n.language) })
          : (help ?? t("field.aprBpsHelp"))
      }
      rules={[{ pattern: APR_BPS, message: t("form.aprBps") }]}
    >
      <Input inputMode="numeric" placeholder="2399" />
    </Form.Item>
  );
}
