// The language switch and the organization's default language. Each language is named in itself.
export const languages: Record<string, string> = {
  'language.en': 'English',
  'language.fr': 'Français',
  'language.switch': 'Language',
  'nav.mainLabel': 'Main',
  'language.switchTo': 'Show this page in {language}',
  'settings.defaultLanguage': 'Default language',
  'settings.defaultLanguageHint': 'Pages and mails use it for people who have not chosen a language and whose browser asks for none of ours.',
  'settings.languageInvalid': 'Choose English or French.',
};
