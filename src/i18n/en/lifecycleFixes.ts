// Words added by the access lifecycle's fixes: a review started twice, and a request sent again to
// the people who decide it now (as its history says it).
export const lifecycleFixes: Record<string, string> = {
  'lifecycleFixes.reviews.alreadyOpen': 'This access review is already open with the same name, scope and deadline: nothing was started again, and nobody was mailed twice.',
  'history.request.rerouted': 'Sent again, to the people who decide it now',
  'lifecycleFixes.untilHintItemsMax': 'The requester asked for no end date; the items allow access until {date} at most. You may choose an earlier day.',
  'lifecycleFixes.adminHome.waitingOnRequester': 'Waiting for the requester’s answer to a question:',
};
