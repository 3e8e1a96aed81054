from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag(takes_context=True)
def purl(context, name: str, *args, **kwargs) -> str:
    """{% purl 'portal:news_detail' item.pk %}: a portal URL for the request's organization."""
    account = context["request"].organization.account_name
    if kwargs:
        return reverse(name, kwargs={"account": account, **kwargs})
    return reverse(name, args=[account, *args])
