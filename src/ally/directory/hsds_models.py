"""Open Referral HSDS 3.0 objects as pydantic models. GENERATED: do not edit by hand.

Made by ``python -m ally.directory.codegen SCHEMA_DIR`` from the official JSON Schemas
(openreferral/specification, Human Services Data Specification: an Open Referral resource,
https://openreferral.org/, CC BY-SA 4.0). Only the structure is taken: names, types, formats,
enums and required fields.
"""

from __future__ import annotations

from typing import Literal

from ally.directory.hsds_base import (
    Child,
    DateTime,
    Email,
    HsdsObject,
    Number,
    TableSpec,
    Uri,
    Uuid,
)


class Accessibility(HsdsObject):
    id: Uuid
    location_id: Uuid | None = None
    description: str | None = None
    details: str | None = None
    url: Uri | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class Address(HsdsObject):
    id: Uuid
    location_id: Uuid | None = None
    attention: str | None = None
    address_1: str
    address_2: str | None = None
    city: str
    region: str | None = None
    state_province: str
    postal_code: str
    country: str
    address_type: Literal["physical", "postal", "virtual"]
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class Attribute(HsdsObject):
    id: Uuid
    link_id: Uuid | None = None
    taxonomy_term_id: Uuid | None = None
    link_type: str | None = None
    link_entity: str | None = None
    value: str | None = None
    taxonomy_term: TaxonomyTerm | None = None
    metadata: list[Metadata] | None = None


class Contact(HsdsObject):
    id: Uuid
    organization_id: Uuid | None = None
    service_id: Uuid | None = None
    service_at_location_id: Uuid | None = None
    location_id: Uuid | None = None
    name: str | None = None
    title: str | None = None
    department: str | None = None
    email: Email | None = None
    phones: list[Phone] | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class CostOption(HsdsObject):
    id: Uuid
    service_id: Uuid | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    option: str | None = None
    currency: str | None = None
    amount: Number | None = None
    amount_description: str | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class Funding(HsdsObject):
    id: Uuid
    organization_id: Uuid | None = None
    service_id: Uuid | None = None
    source: str | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class Language(HsdsObject):
    id: Uuid
    service_id: Uuid | None = None
    location_id: Uuid | None = None
    phone_id: Uuid | None = None
    name: str | None = None
    code: str | None = None
    note: str | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class Location(HsdsObject):
    id: Uuid
    location_type: Literal["physical", "postal", "virtual"]
    url: Uri | None = None
    organization_id: Uuid | None = None
    name: str | None = None
    alternate_name: str | None = None
    description: str | None = None
    transportation: str | None = None
    latitude: Number | None = None
    longitude: Number | None = None
    external_identifier: str | None = None
    external_identifier_type: str | None = None
    languages: list[Language] | None = None
    addresses: list[Address] | None = None
    contacts: list[Contact] | None = None
    accessibility: list[Accessibility] | None = None
    phones: list[Phone] | None = None
    schedules: list[Schedule] | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class MetaTableDescription(HsdsObject):
    id: Uuid
    name: str | None = None
    language: str | None = None
    character_set: str | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class Metadata(HsdsObject):
    id: Uuid
    resource_id: Uuid | None = None
    resource_type: str | None = None
    last_action_date: str
    last_action_type: str
    field_name: str
    previous_value: str
    replacement_value: str
    updated_by: str


class Organization(HsdsObject):
    id: Uuid
    name: str
    alternate_name: str | None = None
    description: str
    email: Email | None = None
    website: Uri | None = None
    tax_status: str | None = None
    tax_id: str | None = None
    year_incorporated: Number | None = None
    legal_status: str | None = None
    logo: str | None = None
    uri: Uri | None = None
    parent_organization_id: Uuid | None = None
    funding: list[Funding] | None = None
    contacts: list[Contact] | None = None
    phones: list[Phone] | None = None
    locations: list[Location] | None = None
    programs: list[Program] | None = None
    organization_identifiers: list[OrganizationIdentifier] | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None
    services: list[Service] | None = None


class OrganizationIdentifier(HsdsObject):
    id: Uuid
    organization_id: Uuid | None = None
    identifier_scheme: str | None = None
    identifier_type: str
    identifier: str
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class Phone(HsdsObject):
    id: Uuid
    location_id: Uuid | None = None
    service_id: Uuid | None = None
    organization_id: Uuid | None = None
    contact_id: Uuid | None = None
    service_at_location_id: Uuid | None = None
    number: str
    extension: Number | None = None
    type: str | None = None
    description: str | None = None
    languages: list[Language] | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class Program(HsdsObject):
    id: Uuid
    organization_id: Uuid | None = None
    name: str
    alternate_name: str | None = None
    description: str
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class RequiredDocument(HsdsObject):
    id: Uuid
    service_id: Uuid | None = None
    document: str | None = None
    uri: Uri | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class Schedule(HsdsObject):
    id: Uuid
    service_id: Uuid | None = None
    location_id: Uuid | None = None
    service_at_location_id: Uuid | None = None
    valid_from: str | None = None
    valid_to: str | None = None
    dtstart: str | None = None
    timezone: Number | None = None
    until: str | None = None
    count: Number | None = None
    wkst: Literal["MO", "TU", "WE", "TH", "FR", "SA", "SU"] | None = None
    freq: Literal["WEEKLY", "MONTHLY"] | None = None
    interval: Number | None = None
    byday: str | None = None
    byweekno: str | None = None
    bymonthday: str | None = None
    byyearday: str | None = None
    description: str | None = None
    opens_at: str | None = None
    closes_at: str | None = None
    schedule_link: Uri | None = None
    attending_type: str | None = None
    notes: str | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class Service(HsdsObject):
    id: Uuid
    organization_id: Uuid | None = None
    program_id: Uuid | None = None
    name: str
    alternate_name: str | None = None
    description: str | None = None
    url: Uri | None = None
    email: Email | None = None
    status: Literal["active", "inactive", "defunct", "temporarily closed"]
    interpretation_services: str | None = None
    application_process: str | None = None
    fees_description: str | None = None
    wait_time: str | None = None
    fees: str | None = None
    accreditations: str | None = None
    eligibility_description: str | None = None
    minimum_age: Number | None = None
    maximum_age: Number | None = None
    assured_date: str | None = None
    assurer_email: Email | None = None
    licenses: str | None = None
    alert: str | None = None
    last_modified: DateTime | None = None
    phones: list[Phone] | None = None
    schedules: list[Schedule] | None = None
    service_areas: list[ServiceArea] | None = None
    service_at_locations: list[ServiceAtLocation] | None = None
    languages: list[Language] | None = None
    organization: Organization | None = None
    funding: list[Funding] | None = None
    cost_options: list[CostOption] | None = None
    program: Program | None = None
    required_documents: list[RequiredDocument] | None = None
    contacts: list[Contact] | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class ServiceArea(HsdsObject):
    id: Uuid
    service_id: Uuid | None = None
    name: str | None = None
    description: str | None = None
    extent: str | None = None
    extent_type: str | None = None
    uri: str | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None


class ServiceAtLocation(HsdsObject):
    id: Uuid
    service_id: Uuid | None = None
    location_id: Uuid | None = None
    description: str | None = None
    contacts: list[Contact] | None = None
    phones: list[Phone] | None = None
    schedules: list[Schedule] | None = None
    location: Location | None = None
    attributes: list[Attribute] | None = None
    metadata: list[Metadata] | None = None
    service: Service | None = None


class Taxonomy(HsdsObject):
    id: Uuid
    name: str
    description: str
    uri: Uri | None = None
    version: str | None = None
    metadata: list[Metadata] | None = None


class TaxonomyTerm(HsdsObject):
    id: Uuid
    code: str | None = None
    name: str
    description: str
    parent_id: Uuid | None = None
    taxonomy: str | None = None
    taxonomy_detail: Taxonomy | None = None
    language: str | None = None
    taxonomy_id: Uuid | None = None
    term_uri: Uri | None = None
    metadata: list[Metadata] | None = None


TABLES: dict[str, TableSpec] = {
    "accessibility": TableSpec(
        kind="accessibility",
        model=Accessibility,
        path="accessibility.csv",
        order=15,
        columns=("id", "location_id", "description", "details", "url"),
        numbers=frozenset([]),
        required=("id",),
        tabular_required=(),
        formats={"id": "uuid", "location_id": "uuid", "url": "uri"},
        enums={},
        children=(Child("attributes", "attribute", True), Child("metadata", "metadata", True)),
    ),
    "address": TableSpec(
        kind="address",
        model=Address,
        path="addresses.csv",
        order=9,
        columns=(
            "id",
            "location_id",
            "attention",
            "address_1",
            "address_2",
            "city",
            "region",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
        numbers=frozenset([]),
        required=(
            "id",
            "address_1",
            "city",
            "state_province",
            "postal_code",
            "country",
            "address_type",
        ),
        tabular_required=(),
        formats={"id": "uuid", "location_id": "uuid"},
        enums={"address_type": ("physical", "postal", "virtual")},
        children=(Child("attributes", "attribute", True), Child("metadata", "metadata", True)),
    ),
    "attribute": TableSpec(
        kind="attribute",
        model=Attribute,
        path="attributes.csv",
        order=4,
        columns=("id", "link_id", "taxonomy_term_id", "link_type", "link_entity", "value"),
        numbers=frozenset([]),
        required=("id",),
        tabular_required=("link_id", "taxonomy_term_id", "link_entity"),
        formats={"id": "uuid", "link_id": "uuid", "taxonomy_term_id": "uuid"},
        enums={},
        children=(
            Child("taxonomy_term", "taxonomy_term", False),
            Child("metadata", "metadata", True),
        ),
    ),
    "contact": TableSpec(
        kind="contact",
        model=Contact,
        path="contacts.csv",
        order=8,
        columns=(
            "id",
            "organization_id",
            "service_id",
            "service_at_location_id",
            "location_id",
            "name",
            "title",
            "department",
            "email",
        ),
        numbers=frozenset([]),
        required=("id",),
        tabular_required=(),
        formats={
            "id": "uuid",
            "organization_id": "uuid",
            "service_id": "uuid",
            "service_at_location_id": "uuid",
            "location_id": "uuid",
            "email": "email",
        },
        enums={},
        children=(
            Child("phones", "phone", True),
            Child("attributes", "attribute", True),
            Child("metadata", "metadata", True),
        ),
    ),
    "cost_option": TableSpec(
        kind="cost_option",
        model=CostOption,
        path="cost_options.csv",
        order=19,
        columns=(
            "id",
            "service_id",
            "valid_from",
            "valid_to",
            "option",
            "currency",
            "amount",
            "amount_description",
        ),
        numbers=frozenset(["amount"]),
        required=("id",),
        tabular_required=("service_id",),
        formats={"id": "uuid", "service_id": "uuid"},
        enums={},
        children=(Child("attributes", "attribute", True), Child("metadata", "metadata", True)),
    ),
    "funding": TableSpec(
        kind="funding",
        model=Funding,
        path="funding.csv",
        order=11,
        columns=("id", "organization_id", "service_id", "source"),
        numbers=frozenset([]),
        required=("id",),
        tabular_required=(),
        formats={"id": "uuid", "organization_id": "uuid", "service_id": "uuid"},
        enums={},
        children=(Child("attributes", "attribute", True), Child("metadata", "metadata", True)),
    ),
    "language": TableSpec(
        kind="language",
        model=Language,
        path="languages.csv",
        order=14,
        columns=("id", "service_id", "location_id", "phone_id", "name", "code", "note"),
        numbers=frozenset([]),
        required=("id",),
        tabular_required=(),
        formats={"id": "uuid", "service_id": "uuid", "location_id": "uuid", "phone_id": "uuid"},
        enums={},
        children=(Child("attributes", "attribute", True), Child("metadata", "metadata", True)),
    ),
    "location": TableSpec(
        kind="location",
        model=Location,
        path="locations.csv",
        order=6,
        columns=(
            "id",
            "location_type",
            "url",
            "organization_id",
            "name",
            "alternate_name",
            "description",
            "transportation",
            "latitude",
            "longitude",
            "external_identifier",
            "external_identifier_type",
        ),
        numbers=frozenset(["latitude", "longitude"]),
        required=("id", "location_type"),
        tabular_required=(),
        formats={"id": "uuid", "url": "uri", "organization_id": "uuid"},
        enums={"location_type": ("physical", "postal", "virtual")},
        children=(
            Child("languages", "language", True),
            Child("addresses", "address", True),
            Child("contacts", "contact", True),
            Child("accessibility", "accessibility", True),
            Child("phones", "phone", True),
            Child("schedules", "schedule", True),
            Child("attributes", "attribute", True),
            Child("metadata", "metadata", True),
        ),
    ),
    "meta_table_description": TableSpec(
        kind="meta_table_description",
        model=MetaTableDescription,
        path="meta_table_descriptions.csv",
        order=18,
        columns=("id", "name", "language", "character_set"),
        numbers=frozenset([]),
        required=("id",),
        tabular_required=(),
        formats={"id": "uuid"},
        enums={},
        children=(Child("attributes", "attribute", True), Child("metadata", "metadata", True)),
    ),
    "metadata": TableSpec(
        kind="metadata",
        model=Metadata,
        path="metadata.csv",
        order=17,
        columns=(
            "id",
            "resource_id",
            "resource_type",
            "last_action_date",
            "last_action_type",
            "field_name",
            "previous_value",
            "replacement_value",
            "updated_by",
        ),
        numbers=frozenset([]),
        required=(
            "id",
            "last_action_date",
            "last_action_type",
            "field_name",
            "previous_value",
            "replacement_value",
            "updated_by",
        ),
        tabular_required=("resource_id", "resource_type"),
        formats={"id": "uuid", "resource_id": "uuid"},
        enums={},
        children=(),
    ),
    "organization": TableSpec(
        kind="organization",
        model=Organization,
        path="organizations.csv",
        order=1,
        columns=(
            "id",
            "name",
            "alternate_name",
            "description",
            "email",
            "website",
            "tax_status",
            "tax_id",
            "year_incorporated",
            "legal_status",
            "logo",
            "uri",
            "parent_organization_id",
        ),
        numbers=frozenset(["year_incorporated"]),
        required=("id", "name", "description"),
        tabular_required=(),
        formats={
            "id": "uuid",
            "email": "email",
            "website": "uri",
            "uri": "uri",
            "parent_organization_id": "uuid",
        },
        enums={},
        children=(
            Child("funding", "funding", True),
            Child("contacts", "contact", True),
            Child("phones", "phone", True),
            Child("locations", "location", True),
            Child("programs", "program", True),
            Child("organization_identifiers", "organization_identifier", True),
            Child("attributes", "attribute", True),
            Child("metadata", "metadata", True),
            Child("services", "service", True),
        ),
    ),
    "organization_identifier": TableSpec(
        kind="organization_identifier",
        model=OrganizationIdentifier,
        path="organization_identifiers.csv",
        order=20,
        columns=("id", "organization_id", "identifier_scheme", "identifier_type", "identifier"),
        numbers=frozenset([]),
        required=("id", "identifier_type", "identifier"),
        tabular_required=("organization_id",),
        formats={"id": "uuid", "organization_id": "uuid"},
        enums={},
        children=(Child("attributes", "attribute", True), Child("metadata", "metadata", True)),
    ),
    "phone": TableSpec(
        kind="phone",
        model=Phone,
        path="phones.csv",
        order=7,
        columns=(
            "id",
            "location_id",
            "service_id",
            "organization_id",
            "contact_id",
            "service_at_location_id",
            "number",
            "extension",
            "type",
            "description",
        ),
        numbers=frozenset(["extension"]),
        required=("id", "number"),
        tabular_required=(),
        formats={
            "id": "uuid",
            "location_id": "uuid",
            "service_id": "uuid",
            "organization_id": "uuid",
            "contact_id": "uuid",
            "service_at_location_id": "uuid",
        },
        enums={},
        children=(
            Child("languages", "language", True),
            Child("attributes", "attribute", True),
            Child("metadata", "metadata", True),
        ),
    ),
    "program": TableSpec(
        kind="program",
        model=Program,
        path="programs.csv",
        order=2,
        columns=("id", "organization_id", "name", "alternate_name", "description"),
        numbers=frozenset([]),
        required=("id", "name", "description"),
        tabular_required=("organization_id",),
        formats={"id": "uuid", "organization_id": "uuid"},
        enums={},
        children=(Child("attributes", "attribute", True), Child("metadata", "metadata", True)),
    ),
    "required_document": TableSpec(
        kind="required_document",
        model=RequiredDocument,
        path="required_documents.csv",
        order=13,
        columns=("id", "service_id", "document", "uri"),
        numbers=frozenset([]),
        required=("id",),
        tabular_required=(),
        formats={"id": "uuid", "service_id": "uuid", "uri": "uri"},
        enums={},
        children=(Child("attributes", "attribute", True), Child("metadata", "metadata", True)),
    ),
    "schedule": TableSpec(
        kind="schedule",
        model=Schedule,
        path="schedules.csv",
        order=10,
        columns=(
            "id",
            "service_id",
            "location_id",
            "service_at_location_id",
            "valid_from",
            "valid_to",
            "dtstart",
            "timezone",
            "until",
            "count",
            "wkst",
            "freq",
            "interval",
            "byday",
            "byweekno",
            "bymonthday",
            "byyearday",
            "description",
            "opens_at",
            "closes_at",
            "schedule_link",
            "attending_type",
            "notes",
        ),
        numbers=frozenset(["count", "interval", "timezone"]),
        required=("id",),
        tabular_required=(),
        formats={
            "id": "uuid",
            "service_id": "uuid",
            "location_id": "uuid",
            "service_at_location_id": "uuid",
            "schedule_link": "uri",
        },
        enums={"wkst": ("MO", "TU", "WE", "TH", "FR", "SA", "SU"), "freq": ("WEEKLY", "MONTHLY")},
        children=(Child("attributes", "attribute", True), Child("metadata", "metadata", True)),
    ),
    "service": TableSpec(
        kind="service",
        model=Service,
        path="services.csv",
        order=3,
        columns=(
            "id",
            "organization_id",
            "program_id",
            "name",
            "alternate_name",
            "description",
            "url",
            "email",
            "status",
            "interpretation_services",
            "application_process",
            "fees_description",
            "wait_time",
            "fees",
            "accreditations",
            "eligibility_description",
            "minimum_age",
            "maximum_age",
            "assured_date",
            "assurer_email",
            "licenses",
            "alert",
            "last_modified",
        ),
        numbers=frozenset(["maximum_age", "minimum_age"]),
        required=("id", "name", "status"),
        tabular_required=("organization_id",),
        formats={
            "id": "uuid",
            "organization_id": "uuid",
            "program_id": "uuid",
            "url": "uri",
            "email": "email",
            "assurer_email": "email",
            "last_modified": "date-time",
        },
        enums={"status": ("active", "inactive", "defunct", "temporarily closed")},
        children=(
            Child("phones", "phone", True),
            Child("schedules", "schedule", True),
            Child("service_areas", "service_area", True),
            Child("service_at_locations", "service_at_location", True),
            Child("languages", "language", True),
            Child("organization", "organization", False),
            Child("funding", "funding", True),
            Child("cost_options", "cost_option", True),
            Child("program", "program", False),
            Child("required_documents", "required_document", True),
            Child("contacts", "contact", True),
            Child("attributes", "attribute", True),
            Child("metadata", "metadata", True),
        ),
    ),
    "service_area": TableSpec(
        kind="service_area",
        model=ServiceArea,
        path="service_areas.csv",
        order=12,
        columns=("id", "service_id", "name", "description", "extent", "extent_type", "uri"),
        numbers=frozenset([]),
        required=("id",),
        tabular_required=(),
        formats={"id": "uuid", "service_id": "uuid"},
        enums={},
        children=(Child("attributes", "attribute", True), Child("metadata", "metadata", True)),
    ),
    "service_at_location": TableSpec(
        kind="service_at_location",
        model=ServiceAtLocation,
        path="service_at_location.csv",
        order=5,
        columns=("id", "service_id", "location_id", "description"),
        numbers=frozenset([]),
        required=("id",),
        tabular_required=("service_id", "location_id"),
        formats={"id": "uuid", "service_id": "uuid", "location_id": "uuid"},
        enums={},
        children=(
            Child("contacts", "contact", True),
            Child("phones", "phone", True),
            Child("schedules", "schedule", True),
            Child("location", "location", False),
            Child("attributes", "attribute", True),
            Child("metadata", "metadata", True),
            Child("service", "service", False),
        ),
    ),
    "taxonomy": TableSpec(
        kind="taxonomy",
        model=Taxonomy,
        path="taxonomies.csv",
        order=21,
        columns=("id", "name", "description", "uri", "version"),
        numbers=frozenset([]),
        required=("id", "name", "description"),
        tabular_required=(),
        formats={"id": "uuid", "uri": "uri"},
        enums={},
        children=(Child("metadata", "metadata", True),),
    ),
    "taxonomy_term": TableSpec(
        kind="taxonomy_term",
        model=TaxonomyTerm,
        path="taxonomy_terms.csv",
        order=16,
        columns=(
            "id",
            "code",
            "name",
            "description",
            "parent_id",
            "taxonomy",
            "language",
            "taxonomy_id",
            "term_uri",
        ),
        numbers=frozenset([]),
        required=("id", "name", "description"),
        tabular_required=(),
        formats={"id": "uuid", "parent_id": "uuid", "taxonomy_id": "uuid", "term_uri": "uri"},
        enums={},
        children=(Child("taxonomy_detail", "taxonomy", False), Child("metadata", "metadata", True)),
    ),
}

Accessibility.model_rebuild()
Address.model_rebuild()
Attribute.model_rebuild()
Contact.model_rebuild()
CostOption.model_rebuild()
Funding.model_rebuild()
Language.model_rebuild()
Location.model_rebuild()
MetaTableDescription.model_rebuild()
Metadata.model_rebuild()
Organization.model_rebuild()
OrganizationIdentifier.model_rebuild()
Phone.model_rebuild()
Program.model_rebuild()
RequiredDocument.model_rebuild()
Schedule.model_rebuild()
Service.model_rebuild()
ServiceArea.model_rebuild()
ServiceAtLocation.model_rebuild()
Taxonomy.model_rebuild()
TaxonomyTerm.model_rebuild()
