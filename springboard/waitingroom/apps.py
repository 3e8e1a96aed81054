from django.apps import AppConfig


class WaitingRoomConfig(AppConfig):
    name = "springboard.waitingroom"
    label = "waitingroom"
    verbose_name = "Waiting room"
