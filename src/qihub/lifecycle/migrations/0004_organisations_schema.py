"""Parties become organisations (issue 14), step 1 of 3: the free-text
columns are renamed ``*_text`` and kept until 0005 has matched them, and the
foreign keys, the ordered drafting units and the links of public input are
added. The typed organisation of comments and feedback stays in
``organisation_name``."""

import django.db.models.deletion
from django.db import migrations, models


def org_fk(verbose_name, related_name, *, on_delete=django.db.models.deletion.PROTECT, help_text=""):
    return models.ForeignKey(
        "organisations.Organisation",
        verbose_name=verbose_name,
        null=True,
        blank=True,
        on_delete=on_delete,
        related_name=related_name,
        help_text=help_text,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("lifecycle", "0003_event_type_comment_resolved"),
        ("organisations", "0002_regions"),
    ]

    operations = [
        # Committee members
        migrations.RenameField("committeemember", "organisation", "organisation_text"),
        migrations.AddField(
            model_name="committeemember",
            name="organisation",
            field=org_fk(
                "organisation",
                "committee_seats",
                help_text="The organisation the member represents, if one was recorded.",
            ),
        ),
        # Research projects
        migrations.RenameField(
            "researchproject", "lead_organisation", "lead_organisation_text"
        ),
        migrations.AddField(
            model_name="researchproject",
            name="lead_organisation",
            field=org_fk("lead organisation", "research_led"),
        ),
        # Standard projects
        migrations.RenameField(
            "project", "proposer_organisation", "proposer_organisation_text"
        ),
        migrations.AddField(
            model_name="project",
            name="proposer_organisation",
            field=org_fk("proposing organisation", "projects_proposed"),
        ),
        migrations.RenameField("project", "drafting_units", "drafting_units_text"),
        migrations.CreateModel(
            name="ProjectDraftingUnit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(verbose_name="position")),
                (
                    "organisation",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="project_drafting",
                        to="organisations.organisation",
                        verbose_name="organisation",
                    ),
                ),
                (
                    "project",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="drafting_units",
                        to="lifecycle.project",
                        verbose_name="project",
                    ),
                ),
            ],
            options={
                "verbose_name": "project drafting unit",
                "verbose_name_plural": "project drafting units",
                "ordering": ["project", "position"],
                "indexes": [
                    models.Index(
                        fields=["organisation", "position"],
                        name="lifecycle_drafting_org",
                    )
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("project", "organisation"),
                        name="lifecycle_drafting_once",
                    ),
                    models.UniqueConstraint(
                        fields=("project", "position"),
                        name="lifecycle_drafting_position",
                    ),
                ],
            },
        ),
        # Public input: the typed text stays, a link is added
        migrations.RenameField("comment", "organisation", "organisation_name"),
        migrations.AlterField(
            model_name="comment",
            name="organisation_name",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="organisation (as typed)"
            ),
        ),
        migrations.AddField(
            model_name="comment",
            name="organisation",
            field=org_fk(
                "registered organisation",
                "consultation_comments",
                on_delete=django.db.models.deletion.SET_NULL,
                help_text="Linked only when the typed name matches a registered one.",
            ),
        ),
        migrations.RenameField("feedback", "organisation", "organisation_name"),
        migrations.AlterField(
            model_name="feedback",
            name="organisation_name",
            field=models.CharField(
                blank=True, max_length=300, verbose_name="organisation (as typed)"
            ),
        ),
        migrations.AddField(
            model_name="feedback",
            name="organisation",
            field=org_fk(
                "registered organisation",
                "feedback_submitted",
                on_delete=django.db.models.deletion.SET_NULL,
                help_text="Linked only when the typed name matches a registered one.",
            ),
        ),
        migrations.AddField(
            model_name="patentdisclosure",
            name="holder_organisation",
            field=org_fk(
                "holder (registered organisation)",
                "patent_disclosures",
                on_delete=django.db.models.deletion.SET_NULL,
                help_text="Matched from the holder's name, or linked by staff.",
            ),
        ),
    ]
