from django.urls import path

from zongzhi.analytics.views import bulletins, dashboard, hotspots, scorecard, signoff

app_name = "analytics"
urlpatterns = [
    # The dashboard, the records behind a figure, the grid map's data (views/dashboard.py).
    path("", dashboard.dashboard, name="dashboard"),
    path("records/", dashboard.records, name="records"),
    path("map.json", dashboard.map_data, name="map_data"),
    # Hotspots and repeat requests (views/hotspots.py).
    path("hotspots/", hotspots.hotspots, name="hotspots"),
    path("repeats/", hotspots.repeats, name="repeats"),
    # Monthly sign-off, 审核上报 (views/signoff.py).
    path("signoff/", signoff.signoff_index, name="signoff"),
    path("signoff/<str:code>/<str:month>/", signoff.signoff_region, name="signoff_region"),
    # The monthly bulletin and the analysis-meeting pack (views/bulletins.py).
    path("bulletins/", bulletins.bulletin_form, name="bulletin"),
    path("bulletins/download/", bulletins.bulletin_download, name="bulletin_download"),
    # Unit scorecards, 考评 (views/scorecard.py).
    path("scorecard/", scorecard.scorecard, name="scorecard"),
    path("scorecard/weights/", scorecard.weights, name="scorecard_weights"),
]
