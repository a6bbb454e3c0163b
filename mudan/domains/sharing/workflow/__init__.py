"""The request/grant workflow (申请与授权): share requests through provider and bureau review,
step deadlines on working days, grants and their credentials, the API, pages, to-dos and
indicators of that workflow."""
