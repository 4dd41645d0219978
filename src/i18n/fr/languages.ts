// Le sélecteur de langue et la langue par défaut de l’organisation. Chaque langue est nommée dans sa langue.
export const languages: Record<string, string> = {
  'language.en': 'English',
  'language.fr': 'Français',
  'language.switch': 'Langue',
  'nav.mainLabel': 'Menu principal',
  'language.switchTo': 'Afficher cette page en {language}',
  'settings.defaultLanguage': 'Langue par défaut',
  'settings.defaultLanguageHint': 'Utilisée pour les pages et les e-mails des personnes qui n’ont pas choisi de langue et dont le navigateur n’en demande aucune que nous proposons.',
  'settings.languageInvalid': 'Choisissez l’anglais ou le français.',
};
