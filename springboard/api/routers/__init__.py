import warnings

# Every path starts with /{account}/, which OrganizationMiddleware consumes before the view
# runs (springboard/api/api.py adds it to the schema): ninja's warning about it is expected.
warnings.filterwarnings(
    "ignore", message=r"Field\(s\) \('account',\) are in the view path", category=UserWarning
)
