"""Standard items answered from the meeting log: the county's bindings, bind one, remove one.

Only county staff (access.can_bind) see these pages; what they bind is their own
county's: its sets' number items and its meeting types (meetings/forms_bindings.py).
A binding takes effect at once: every self-check of the set shows the log's count
for the item from the next page load (meetings/prefill.py). Removing one leaves the
values already entered as they are.

No pagination: a county binds a handful of items (one per number item at most).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import access
from ..forms_bindings import BindingForm, SetChoiceForm, bindings_for
from ..models import ItemBinding


def _list_url(standard_set=None):
    url = reverse("meetings:binding_list")
    return f"{url}?set={standard_set.pk}" if standard_set is not None else url


@login_required
@require_http_methods(["GET", "POST"])
def binding_list(request):
    if not access.can_bind(request.user):
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        # The items offered again on a refusal are those of the set the form was for.
        chooser = SetChoiceForm({"set": request.POST.get("standard_set", "")}, user=request.user)
        standard_set = chooser.chosen()
        form = BindingForm(request.POST, user=request.user, standard_set=standard_set)
        if form.is_valid() and (binding := form.save()) is not None:
            messages.success(request, _("%(item)s is now counted from the meetings of %(type)s.")
                             % {"item": binding.item.code, "type": binding.meeting_type.name})
            return redirect(_list_url(binding.item.standard_set))
        status = 400
    else:
        chooser = SetChoiceForm(request.GET or None, user=request.user)
        standard_set = chooser.chosen()
        form = BindingForm(user=request.user, standard_set=standard_set)
    return render(request, "meetings/bindings/list.html", {
        "bindings": list(bindings_for(request.user)),
        "chooser": chooser,
        "standard_set": standard_set,
        "form": form,
    }, status=status)


@login_required
@require_POST
def binding_delete(request, pk):
    if not access.can_bind(request.user):
        raise PermissionDenied
    try:
        binding = bindings_for(request.user).get(pk=pk)
    except (ItemBinding.DoesNotExist, ValueError, TypeError):
        raise Http404("No such binding") from None
    code, standard_set = binding.item.code, binding.item.standard_set
    binding.delete()
    messages.success(request, _("%(item)s is no longer counted from the meeting log.") % {"item": code})
    return redirect(_list_url(standard_set))
