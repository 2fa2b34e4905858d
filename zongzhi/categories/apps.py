from django.apps import AppConfig


class CategoriesConfig(AppConfig):
    name = "zongzhi.categories"
    verbose_name = "事项分类"
