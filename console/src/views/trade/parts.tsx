/** Small pieces of the trade views, in colours that keep WCAG AA contrast on white (antd's defaults fall short). */
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { Link } from "wouter";

/** The link back to the order list. */
export function BackLink() {
  const { t } = useTranslation("trade");
  return (
    <Link href="/orders" style={{ color: "#1f4e79", textDecoration: "underline" }}>
      {t("order.back")}
    </Link>
  );
}

/** A form field's help text. */
export function Help({ children }: { children: ReactNode }) {
  return <span style={{ color: "rgba(0, 0, 0, 0.68)" }}>{children}</span>;
}
