// Accessibility: the error summary at the top of a form's page and the words that say a message is an error.
export const a11y: Record<string, string> = {
  'a11y.errorSummaryTitle': '{count, plural, one {There is a problem with one field} other {There are problems with # fields}}',
  'a11y.errorSummaryLead': 'Correct the fields below; each link takes you to one.',
  'a11y.errorPrefix': 'Error:',
};
