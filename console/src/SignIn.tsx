/** Sign-in: the API token a desk was given (`service:token --create`, or printed by `make up`). */
import { Alert, Button, Card, Form, Input, Typography } from "antd";
import { useTranslation } from "react-i18next";

import { LanguageSelect } from "./components/LanguageSelect";

export function SignIn({ refusal, onSignIn }: { refusal?: string; onSignIn: (token: string) => void }) {
  const { t } = useTranslation();
  return (
    <main style={{ display: "grid", placeItems: "center", minHeight: "100vh", background: "#f0f2f5" }}>
      <Card style={{ width: 440 }}>
        <div style={{ display: "flex", justifyContent: "space-between", alignItems: "baseline" }}>
          <Typography.Title level={1} style={{ fontSize: 24 }}>
            {t("appName")}
          </Typography.Title>
          <LanguageSelect />
        </div>
        <Typography.Paragraph>{t("signIn.intro")}</Typography.Paragraph>
        {refusal !== undefined && <Alert type="error" showIcon title={refusal} style={{ marginBottom: 16 }} />}
        <Form layout="vertical" onFinish={(v: { token: string }) => onSignIn(v.token.trim())} requiredMark={false}>
          <Form.Item
            label={t("signIn.token")}
            name="token"
            rules={[
              { required: true, message: t("signIn.tokenRequired") },
              { pattern: /^\s*tl_[A-Za-z0-9_-]+\s*$/, message: t("signIn.tokenShape") },
            ]}
          >
            <Input.Password autoComplete="off" placeholder="tl_…" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block>
            {t("signIn.submit")}
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0 }}>
          {t("signIn.keys")}
        </Typography.Paragraph>
      </Card>
    </main>
  );
}
