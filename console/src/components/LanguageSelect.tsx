import { Select } from "antd";
import { useTranslation } from "react-i18next";

import { LANGUAGES, setLanguage, type Language } from "../i18n";

/** The language switch, labelled for screen readers. */
export function LanguageSelect() {
  const { t, i18n } = useTranslation();
  return (
    <Select<Language>
      aria-label={t("language")}
      value={i18n.language as Language}
      onChange={(language) => void setLanguage(language)}
      options={LANGUAGES.map((l) => ({ value: l.code, label: l.label }))}
      style={{ width: 120 }}
      size="small"
    />
  );
}
