from django.db import connection
from django.http import JsonResponse

from mostrador.jobs.lanes import health as lanes_health


def healthz(request):
    """200 `{"status": "ok"}` while the database answers and every job lane of this process
    works; 503 with the reason and the lanes otherwise (a lane failing for more than a few
    seconds, stopped, or stuck on one job). `?lanes=1` adds each lane's report to a 200 too."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # noqa: BLE001 - any database failure means "not healthy"
        return JsonResponse({"status": "unavailable", "reason": f"database: {exc.__class__.__name__}"}, status=503)
    healthy, lanes = lanes_health()
    if not healthy:
        stuck = next(f"lane {name}: {item['problem']}" for name, item in lanes.items() if item["state"] == "stuck")
        return JsonResponse({"status": "unavailable", "reason": stuck, "lanes": lanes}, status=503)
    if request.GET.get("lanes"):
        return JsonResponse({"status": "ok", "lanes": lanes})
    return JsonResponse({"status": "ok"})
